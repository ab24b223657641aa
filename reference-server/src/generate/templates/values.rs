//! Reading a request's parameter values, with defaults, checked against each
//! parameter's declared kind and constraints.

use serde_json::{Map, Value};

use super::catalog::{ParameterKind, TemplateParameter, TemplateSpec};
use crate::generate::GenerateError;
use crate::generate::local::colour_expression;

/// Validated parameter values of one request.
pub(super) struct Values<'a> {
    pub(super) spec: &'a TemplateSpec,
    pub(super) params: &'a Map<String, Value>,
}

impl Values<'_> {
    fn raw(&self, name: &str) -> Result<(Value, &TemplateParameter), GenerateError> {
        let param = self
            .spec
            .parameters
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                GenerateError::bad_parameter(name, "not a parameter of this template")
            })?;
        let value = match self.params.get(name) {
            Some(Value::Null) | None => serde_json::from_str(param.default)
                .map_err(|_| GenerateError::bad_parameter(name, "invalid default"))?,
            Some(value) => value.clone(),
        };
        Ok((value, param))
    }

    pub(super) fn text(&self, name: &str) -> Result<String, GenerateError> {
        let (value, param) = self.raw(name)?;
        let ParameterKind::Text { max_len } = param.kind else {
            return Err(GenerateError::bad_parameter(name, "not a text parameter"));
        };
        let text = value
            .as_str()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a string"))?;
        if text.chars().count() > max_len {
            return Err(GenerateError::bad_parameter(
                name,
                format!("must be at most {max_len} characters"),
            ));
        }
        Ok(text.to_string())
    }

    pub(super) fn number(&self, name: &str) -> Result<f64, GenerateError> {
        let (value, param) = self.raw(name)?;
        let ParameterKind::Number { min, max } = param.kind else {
            return Err(GenerateError::bad_parameter(name, "not a number parameter"));
        };
        let n = value
            .as_f64()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a number"))?;
        if !(min..=max).contains(&n) {
            return Err(GenerateError::bad_parameter(
                name,
                format!("must be between {min} and {max}, got {n}"),
            ));
        }
        Ok(n)
    }

    pub(super) fn colour(&self, name: &str) -> Result<String, GenerateError> {
        let (value, _) = self.raw(name)?;
        let text = value
            .as_str()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a colour string"))?;
        colour_expression(text).ok_or_else(|| {
            GenerateError::bad_parameter(
                name,
                format!("'{text}' is not a colour (use #rrggbb or a name like 'blue')"),
            )
        })
    }

    pub(super) fn choice(&self, name: &str) -> Result<&'static str, GenerateError> {
        let (value, param) = self.raw(name)?;
        let ParameterKind::Choice { options } = param.kind else {
            return Err(GenerateError::bad_parameter(name, "not a choice parameter"));
        };
        let text = value
            .as_str()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a string"))?;
        options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(text))
            .copied()
            .ok_or_else(|| {
                GenerateError::bad_parameter(
                    name,
                    format!("must be one of {}, got '{text}'", options.join(", ")),
                )
            })
    }
}
