//! Input rules of accounts and the catalogue, each failure naming its field and
//! constraint.

use std::sync::LazyLock;

use animaforge_api::Money;
use regex::Regex;

use crate::http::ApiError;

static USERNAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_-]{2,31}$").expect("regex"));

/// 3 to 32 characters: letters, digits, `_` and `-`, starting with a letter.
pub fn username(value: &str) -> Result<(), ApiError> {
    if USERNAME.is_match(value) {
        Ok(())
    } else {
        Err(ApiError::validation(
            "username",
            "must be 3 to 32 characters: letters, digits, _ and -, starting with a letter",
        ))
    }
}

/// A plausible email address of at most 254 characters.
pub fn email(value: &str) -> Result<(), ApiError> {
    let bad = || {
        ApiError::validation(
            "email",
            "must be a valid email address of at most 254 characters",
        )
    };
    if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return Err(bad());
    };
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local.is_empty() || local.len() > 64 || local.contains('@') || !labels_ok {
        return Err(bad());
    }
    Ok(())
}

/// 8 to 128 characters with at least one letter and one digit.
pub fn password(value: &str) -> Result<(), ApiError> {
    let n = value.chars().count();
    if !(8..=128).contains(&n) {
        return Err(ApiError::validation(
            "password",
            "must be 8 to 128 characters",
        ));
    }
    if !value.chars().any(char::is_alphabetic) || !value.chars().any(|c| c.is_ascii_digit()) {
        return Err(ApiError::validation(
            "password",
            "must contain at least one letter and one digit",
        ));
    }
    Ok(())
}

/// A string of `min..=max` characters (and not only whitespace when `min > 0`).
pub fn length(field: &str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n < min || n > max || (min > 0 && value.trim().is_empty()) {
        let constraint = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("must be {min} to {max} characters")
        };
        return Err(ApiError::validation(field, constraint));
    }
    Ok(())
}

/// Up to 20 tags of 1 to 32 characters: letters, digits, spaces, `-` and `_`.
pub fn tags(field: &str, tags: &[String]) -> Result<(), ApiError> {
    if tags.len() > 20 {
        return Err(ApiError::validation(field, "must have at most 20 tags"));
    }
    for (i, tag) in tags.iter().enumerate() {
        let n = tag.chars().count();
        let chars_ok = tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'));
        if !(1..=32).contains(&n) || !chars_ok || tag.trim().is_empty() {
            return Err(ApiError::validation(
                format!("{field}[{i}]"),
                "must be 1 to 32 characters: letters, digits, spaces, - and _",
            ));
        }
    }
    Ok(())
}

/// A price (already at most two decimals and 100000 by construction).
pub fn price(field: &str, value: Money) -> Result<(), ApiError> {
    if value.cents() < 0 || value.cents() > Money::MAX_CENTS {
        return Err(ApiError::validation(field, "must be between 0 and 100000"));
    }
    Ok(())
}

/// Page from 1 and per-page 1 to 100, with defaults 1 and 20.
pub fn pagination(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32), ApiError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(20);
    if page < 1 {
        return Err(ApiError::validation("page", "must be at least 1"));
    }
    if !(1..=100).contains(&per_page) {
        return Err(ApiError::validation(
            "per_page",
            "must be between 1 and 100",
        ));
    }
    Ok((page, per_page))
}
