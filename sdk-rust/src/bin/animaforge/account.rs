//! `auth register|login|logout|whoami` and `config get|set|unset|list|path`.

use std::io::{BufRead, IsTerminal, Write};

use animaforge::{AnimaForge, ApiKey, Error};

use crate::Context;
use crate::args::{AuthCommand, ConfigCommand, LoginArgs, RegisterArgs};
use crate::failure::Failure;
use crate::output::print_json;
use crate::settings::{self, KeySource};

/// Runs `auth ...`.
pub(crate) async fn auth(context: &Context, command: AuthCommand) -> Result<(), Failure> {
    match command {
        AuthCommand::Register(args) => register(context, args).await,
        AuthCommand::Login(args) => login(context, args).await,
        AuthCommand::Logout => logout(context).await,
        AuthCommand::Whoami => {
            let user = context.authed()?.auth().me().await?;
            if context.json() {
                return print_json(&user);
            }
            outln!(
                "{} <{}> ({}, tier {})",
                user.username,
                user.email,
                user.id,
                user.tier
            );
            Ok(())
        }
    }
}

/// A client that sends no credentials (register and login).
fn anonymous(context: &Context) -> Result<AnimaForge, Failure> {
    let mut builder = AnimaForge::builder()
        .base_url(&context.settings.base_url)
        .user_agent(concat!("animaforge-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(timeout) = context.timeout {
        builder = builder.timeout(timeout);
    }
    Ok(builder.build()?)
}

async fn register(context: &Context, args: RegisterArgs) -> Result<(), Failure> {
    let interactive = !args.password_stdin;
    let username = value_or_prompt(args.username, "Username", "--username", interactive)?;
    let email = value_or_prompt(args.email, "Email", "--email", interactive)?;
    let password = if args.password_stdin {
        password_from_stdin()?
    } else {
        let first = prompt_password("Password: ")?;
        let again = prompt_password("Password (again): ")?;
        if first != again {
            return Err(Failure::usage("the passwords do not match"));
        }
        first
    };

    let session = anonymous(context)?
        .auth()
        .register(&username, &email, password)
        .await?;
    let Some(user) = session.user() else {
        return Err(Failure::local("the server returned no account"));
    };
    if context.json() {
        return print_json(user);
    }
    outln!(
        "Registered {} <{}> ({})",
        user.username,
        user.email,
        user.id
    );
    errln!("Next: animaforge auth login --email {}", user.email);
    Ok(())
}

async fn login(context: &Context, args: LoginArgs) -> Result<(), Failure> {
    let interactive = !args.password_stdin;
    let email = value_or_prompt(args.email, "Email", "--email", interactive)?;
    let password = if args.password_stdin {
        password_from_stdin()?
    } else {
        prompt_password("Password: ")?
    };

    let session = anonymous(context)?.auth().login(&email, password).await?;
    let name = args.key_name.unwrap_or_else(default_key_name);
    let created = session.client().api_keys().create(&name).await?;

    // The key stored before (for this server) is replaced; revoke it, best effort.
    let mut stored = context.stored.clone();
    if let Some(old_id) = stored.api_key_id.take()
        && stored.base_url.as_deref() == Some(context.settings.base_url.as_str())
        && let Err(e) = session.client().api_keys().revoke(&old_id).await
    {
        errln!(
            "note: the previous API key {old_id} was not revoked: {}",
            e.code()
        );
    }
    stored.api_key = Some(created.key.clone());
    stored.api_key_id = Some(created.id.clone());
    stored.base_url = Some(context.settings.base_url.clone());
    stored.email = Some(email);
    let path = settings::save(&stored)?;

    let key = ApiKey {
        id: created.id.clone(),
        name: created.name.clone(),
        prefix: created.prefix.clone(),
        created_at: created.created_at,
        last_used_at: None,
        expires_at: created.expires_at,
    };
    if context.json() {
        return print_json(&key);
    }
    let who = session
        .user()
        .map(|u| format!("{} <{}>", u.username, u.email))
        .unwrap_or_default();
    outln!(
        "Signed in as {who}; API key \"{}\" ({}, {}...) stored in {}",
        key.name,
        key.id,
        key.prefix,
        path.display()
    );
    Ok(())
}

async fn logout(context: &Context) -> Result<(), Failure> {
    let mut stored = context.stored.clone();
    let Some(key) = stored.api_key.take() else {
        // Nothing stored; a key from the environment or a flag is not this tool's to
        // revoke.
        let other = context
            .settings
            .api_key_source
            .filter(|source| *source != KeySource::Stored);
        if context.json() {
            return print_json(&serde_json::json!({ "signed_out": true, "revoked": false }));
        }
        let path = settings::config_path()?;
        match other {
            Some(source) => outln!(
                "No API key is stored in {}; {} was not revoked and still works.",
                path.display(),
                source.describe()
            ),
            None => outln!("Not signed in: no API key is stored in {}.", path.display()),
        }
        return Ok(());
    };
    let key_id = stored.api_key_id.take();
    // The key is only ever sent to the server it was created on.
    let mut builder = AnimaForge::builder()
        .base_url(
            stored
                .base_url
                .as_deref()
                .unwrap_or(&context.settings.base_url),
        )
        .user_agent(concat!("animaforge-cli/", env!("CARGO_PKG_VERSION")))
        .api_key(key.clone());
    if let Some(timeout) = context.timeout {
        builder = builder.timeout(timeout);
    }
    let client = builder.build()?;
    let outcome = async {
        // A key stored with `config set` has no id: find it by its prefix.
        let id = match &key_id {
            Some(id) => id.clone(),
            None => own_key_id(&client, &key).await?,
        };
        client.api_keys().revoke(&id).await?;
        Ok::<_, Error>(id)
    }
    .await;
    let revoked_id = match outcome {
        Ok(id) => {
            errln!("Revoked API key {id} on the server.");
            Some(id)
        }
        // The server no longer accepts the key, or no longer has it: nothing is left
        // to revoke.
        Err(e @ (Error::Authentication(_) | Error::NotFound(_))) => {
            errln!(
                "note: the stored API key was already invalid on the server ({}); it is \
                 forgotten here",
                crate::failure::describe(&e)
            );
            None
        }
        // Unreachable server, timeout, rate limit, server error: the key may still work,
        // so it stays stored for another try.
        Err(e) => {
            let mut failure = Failure::from(e);
            failure.message.push_str(
                "; the stored API key was not revoked and stays stored (try again, or \
                 `animaforge config unset api_key` to forget it unrevoked)",
            );
            return Err(failure);
        }
    };
    let revoked = revoked_id.is_some();
    let key_id = revoked_id.or(key_id);
    // The key this run would have used came from elsewhere: say it still works.
    if let Some(source) = context
        .settings
        .api_key_source
        .filter(|source| *source != KeySource::Stored)
    {
        errln!(
            "note: {} was not revoked and still works.",
            source.describe()
        );
    }
    let path = settings::save(&stored)?;
    if context.json() {
        return print_json(&serde_json::json!({
            "signed_out": true,
            "api_key_id": key_id,
            "revoked": revoked,
        }));
    }
    outln!(
        "Signed out; the API key was removed from {}",
        path.display()
    );
    Ok(())
}

/// The id of `key` among its account's keys, found by its visible prefix.
async fn own_key_id(client: &AnimaForge, key: &str) -> Result<String, Error> {
    let prefix: String = key.chars().take(12).collect();
    let keys = client.api_keys().list().await?;
    let mut matching = keys.into_iter().filter(|k| k.prefix == prefix);
    match (matching.next(), matching.next()) {
        (Some(found), None) => Ok(found.id),
        _ => Err(Error::NotFound(Box::new(animaforge::ErrorInfo {
            status: 404,
            code: "NOT_FOUND".into(),
            message: "the stored API key is not among its account's keys".into(),
            details: None,
            request_id: None,
        }))),
    }
}

/// Runs `config ...`.
pub(crate) fn config(context: &Context, command: ConfigCommand) -> Result<(), Failure> {
    match command {
        ConfigCommand::Get { key } => {
            // `base_url` reports what this run would use; the rest come from the file.
            let value = match key.as_str() {
                "base_url" => Some(context.settings.base_url.clone()),
                _ => context.stored.get(&key)?.map(str::to_owned),
            };
            match value {
                Some(value) if context.json() => print_json(&serde_json::json!({ key: value })),
                Some(value) => {
                    outln!("{value}");
                    Ok(())
                }
                None => Err(Failure::local(format!("`{key}` is not set"))),
            }
        }
        ConfigCommand::Set { key, value } => {
            let mut stored = context.stored.clone();
            stored.set(&key, Some(value))?;
            let path = settings::save(&stored)?;
            errln!("Set {key} in {}", path.display());
            Ok(())
        }
        ConfigCommand::Unset { key } => {
            if context.stored.get(&key)?.is_none() {
                errln!(
                    "{key} was not set in {}",
                    settings::config_path()?.display()
                );
                return Ok(());
            }
            let mut stored = context.stored.clone();
            stored.set(&key, None)?;
            let path = settings::save(&stored)?;
            errln!("Removed {key} from {}", path.display());
            Ok(())
        }
        ConfigCommand::List => {
            // What is stored, the key masked; as JSON with `--json`.
            let mut shown = serde_json::Map::new();
            for key in settings::KEYS {
                if let Some(value) = context.stored.get(key)? {
                    let value = if *key == "api_key" {
                        mask(value)
                    } else {
                        value.to_owned()
                    };
                    shown.insert((*key).to_owned(), value.into());
                }
            }
            if context.json() {
                return print_json(&shown);
            }
            for (key, value) in &shown {
                outln!("{key} = {}", value.as_str().unwrap_or_default());
            }
            Ok(())
        }
        ConfigCommand::Path if context.json() => {
            print_json(&serde_json::json!({ "path": settings::config_path()? }))
        }
        ConfigCommand::Path => {
            outln!("{}", settings::config_path()?.display());
            Ok(())
        }
    }
}

/// The first characters of a key, the rest hidden.
fn mask(secret: &str) -> String {
    let shown: String = secret.chars().take(12).collect();
    format!("{shown}... (hidden; `animaforge config get api_key` prints it)")
}

/// `animaforge-cli@<host>`.
fn default_key_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let name = format!("animaforge-cli@{host}");
    name.chars().take(100).collect()
}

fn value_or_prompt(
    value: Option<String>,
    label: &str,
    flag: &str,
    interactive: bool,
) -> Result<String, Failure> {
    if let Some(value) = value {
        return Ok(value);
    }
    if !interactive || !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "{flag} is required when not prompting on a terminal"
        )));
    }
    err!("{label}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::local(format!("cannot read standard input: {e}")))?;
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err(Failure::usage(format!("{label} is required")));
    }
    Ok(line)
}

fn prompt_password(prompt: &str) -> Result<String, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "no terminal to prompt for the password on; use --password-stdin",
        ));
    }
    rpassword::prompt_password(prompt)
        .map_err(|e| Failure::local(format!("cannot read the password: {e}")))
}

fn password_from_stdin() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::local(format!("cannot read standard input: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(Failure::usage(
            "--password-stdin: standard input held no password",
        ));
    }
    Ok(password)
}
