//! Account pages: the own account (password, API tokens) for everyone, and user management for
//! administrators. Viewing another user's account is a read of personal data: audited.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::roles::ALL_ROLES;
use super::{ApiToken, Login, NewPassword, NewUser, Permission, Role, User, UserEdit};
use crate::app::AppState;
use crate::audit;
use crate::error::{AppError, AppResult, Problems};
use crate::web::auth::{Auth, ClientAddr};
use crate::web::page::{
    DetailField, DetailView, Fields, FormField, FormView, Link, ListRow, ListView, PageCtx,
    options, render,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users).post(user_create))
        .route("/admin/users/new", get(user_new))
        .route("/admin/users/{id}", get(user_view).post(user_update))
        .route("/admin/users/{id}/edit", get(user_edit))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: PageCtx,
    login: String,
    unit: String,
    password_error: Option<String>,
    new_token: Option<String>,
    tokens: Vec<ApiToken>,
}

async fn account_page(
    state: &AppState,
    auth: &Auth,
    password_error: Option<String>,
    new_token: Option<String>,
    flash: Option<&str>,
) -> AppResult<AccountPage> {
    let unit = match &auth.user.unit_id {
        Some(id) => crate::registry::get_unit(&state.db, &crate::accounts::Scope::All, id)
            .await
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(AccountPage {
        c: PageCtx::new(state, auth, "/account").with_flash(flash),
        login: auth.user.login.clone(),
        unit,
        password_error,
        new_token,
        tokens: super::list_tokens(&state.db, &auth.user).await?,
    })
}

async fn account(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let flash = q.contains_key("saved").then_some("flash-saved");
    render(&account_page(&state, &auth, None, None, flash).await?)
}

async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(address): ClientAddr,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields::from_pairs(pairs);
    let session = auth.session.as_ref().ok_or(AppError::Forbidden)?;
    let result = async {
        let new = NewPassword::parse(f.0.get("new").map(String::as_str).unwrap_or(""))?;
        if f.0.get("new") != f.0.get("confirm") {
            return Err(AppError::invalid("confirm", "error-password-mismatch"));
        }
        super::change_own_password(
            &state,
            session,
            f.0.get("current").map(String::as_str).unwrap_or(""),
            &new,
            &address,
        )
        .await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/account?saved=1").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Throttled)) => {
            let status = e.status();
            let c = PageCtx::new(&state, &auth, "/account");
            let page = account_page(&state, &auth, Some(c.t(e.message_key())), None, None).await?;
            Ok((status, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields::from_pairs(pairs);
    let token = super::create_token(&state, &auth.user, f.get("name")).await?;
    // The token is shown once, on this answer, and never again.
    render(&account_page(&state, &auth, None, Some(token), None).await?)
}

async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    super::revoke_token(&state, &auth.user, &id).await?;
    Ok(Redirect::to("/account?saved=1").into_response())
}

// ---------------------------------------------------------------------------------------------
// User management (admin)

fn role_options(c: &PageCtx, current: &str) -> Vec<crate::web::page::SelectOption> {
    options(
        ALL_ROLES
            .iter()
            .map(|r| (r.code().to_string(), c.t(r.label_key())))
            .collect(),
        current,
        Some(c.t("choose")),
    )
}

async fn users(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ManageUsers)?;
    let c = PageCtx::new(&state, &auth, "/admin/users");
    // The list shows every account's name and role: a read of personal data.
    let all = audit::audited_read(
        &state.db,
        &auth.user.actor(),
        "user",
        "*",
        super::list_users(&state.db),
    )
    .await?;
    let rows: Vec<ListRow> = all
        .iter()
        .map(|u| ListRow {
            href: format!("/admin/users/{}", u.id),
            cells: vec![
                u.login.clone(),
                u.display_name.clone(),
                c.t(u.role.label_key()),
                if u.disabled {
                    c.t("users-disabled")
                } else {
                    c.t("users-active")
                },
            ],
        })
        .collect();
    let title = c.t("nav-users");
    let columns = vec![
        c.t("field-login"),
        c.t("field-name"),
        c.t("field-role"),
        c.t("field-status"),
    ];
    let new = Link::new("/admin/users/new", c.t("action-new"));
    let mut view = ListView::single_page(c, title, "", columns, rows);
    view.action = Some(new);
    render(&view)
}

async fn user_form(
    state: &AppState,
    auth: &Auth,
    action: String,
    f: &Fields,
    new: bool,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/admin/users");
    let units = crate::registry::unit_choices(&state.db, &auth.scope).await?;
    let mut fields = Vec::new();
    if new {
        fields.push(
            FormField::new("login", c.t("field-login"), "text", f.get("login").into())
                .required()
                .hint(c.t("hint-login")),
        );
    }
    fields.push(
        FormField::new(
            "display_name",
            c.t("field-name"),
            "text",
            f.get("display_name").into(),
        )
        .required(),
    );
    fields.push(
        FormField::new("role", c.t("field-role"), "select", f.get("role").into())
            .required()
            .options(role_options(&c, f.get("role"))),
    );
    fields.push(
        FormField::new(
            "unit_id",
            c.t("field-unit"),
            "select",
            f.get("unit_id").into(),
        )
        .options(options(units, f.get("unit_id"), Some(c.t("none"))))
        .hint(c.t("hint-unit-scope")),
    );
    fields.push(
        FormField::new(
            "password",
            c.t(if new {
                "login-password"
            } else {
                "users-new-password"
            }),
            "password",
            String::new(),
        )
        .required_if(new)
        .hint(if new {
            c.t("account-policy")
        } else {
            format!(
                "{} {}",
                c.t("account-policy"),
                c.t("users-password-revokes")
            )
        }),
    );
    if !new {
        fields.push(FormField::new(
            "disabled",
            c.t("users-disabled"),
            "checkbox",
            f.get("disabled").into(),
        ));
    }
    let title = c.t(if new { "users-new" } else { "users-edit" });
    Ok(FormView {
        submit: None,
        map: None,
        c,
        title,
        cancel_href: "/admin/users".into(),
        action,
        fields,
        error: None,
    })
}

fn parse_role_unit(f: &Fields) -> AppResult<(Role, Option<String>)> {
    let role = f.choice("role", Role::parse)?;
    let unit = (!f.get("unit_id").is_empty()).then(|| f.get("unit_id").to_string());
    Ok((role, unit))
}

async fn user_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ManageUsers)?;
    render(
        &user_form(
            &state,
            &auth,
            "/admin/users".into(),
            &Fields::default(),
            true,
        )
        .await?,
    )
}

async fn user_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::ManageUsers)?;
    let f = Fields::from_pairs(pairs);
    let result = async {
        let mut p = Problems::default();
        let login = p.or(Login::parse(f.get("login")).map(Some), None)?;
        let display_name = p.or_default(super::parse_display_name(f.get("display_name")))?;
        let role_unit = p.or(parse_role_unit(&f).map(Some), None)?;
        let pw = p.or(
            NewPassword::parse(f.0.get("password").map(String::as_str).unwrap_or("")).map(Some),
            None,
        )?;
        let (Some(login), Some((role, unit_id)), Some(pw)) = (login, role_unit, pw) else {
            return Err(p
                .finish(())
                .err()
                .unwrap_or(AppError::invalid("login", "error-required")));
        };
        p.finish(())?;
        super::create_user(
            &state,
            &auth.user.actor(),
            NewUser {
                login,
                display_name,
                role,
                unit_id,
            },
            &pw,
        )
        .await
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response()),
        Err(e) => user_form(&state, &auth, "/admin/users".into(), &f, true)
            .await?
            .refuse(e),
    }
}

async fn user_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    auth.require(Permission::ManageUsers)?;
    let u: User = audit::audited_read(
        &state.db,
        &auth.user.actor(),
        "user",
        &id,
        super::get_user(&state.db, &id),
    )
    .await?;
    let c = PageCtx::new(&state, &auth, "/admin/users")
        .with_flash(q.contains_key("saved").then_some("flash-saved"));
    let unit = match &u.unit_id {
        Some(uid) => crate::registry::get_unit(&state.db, &auth.scope, uid)
            .await
            .map(|x| x.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let f = |label: &str, value: String| DetailField {
        label: c.t(label),
        value,
        href: None,
    };
    let fields = vec![
        f("field-login", u.login.clone()),
        f("field-role", c.t(u.role.label_key())),
        DetailField {
            label: c.t("field-unit"),
            value: unit,
            href: u.unit_id.as_ref().map(|x| format!("/units/{x}")),
        },
        f(
            "field-status",
            if u.disabled {
                c.t("users-disabled")
            } else {
                c.t("users-active")
            },
        ),
        f("field-created", crate::web::page::when_text(&u.created_at)),
    ];
    let view = DetailView {
        title: u.display_name.clone(),
        back_href: "/admin/users".into(),
        edit_href: Some(format!("/admin/users/{id}/edit")),
        fields,
        tables: vec![],
        c,
    };
    render(&view)
}

fn user_fields(u: &User) -> Fields {
    let mut m = HashMap::new();
    m.insert("display_name".into(), u.display_name.clone());
    m.insert("role".into(), u.role.code().to_string());
    m.insert("unit_id".into(), u.unit_id.clone().unwrap_or_default());
    m.insert(
        "disabled".into(),
        if u.disabled {
            "on".into()
        } else {
            String::new()
        },
    );
    Fields(m)
}

async fn user_edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ManageUsers)?;
    let u = audit::audited_read(
        &state.db,
        &auth.user.actor(),
        "user",
        &id,
        super::get_user(&state.db, &id),
    )
    .await?;
    render(
        &user_form(
            &state,
            &auth,
            format!("/admin/users/{id}"),
            &user_fields(&u),
            false,
        )
        .await?,
    )
}

async fn user_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::ManageUsers)?;
    let f = Fields::from_pairs(pairs);
    let result = async {
        let display_name = super::parse_display_name(f.get("display_name"))?;
        let (role, unit_id) = parse_role_unit(&f)?;
        let disabled = f.flag("disabled");
        // An administrator cannot lock themself out by accident.
        if id == auth.user.id && (disabled || role != Role::Admin) {
            return Err(AppError::invalid("role", "error-self-lockout"));
        }
        let pw = match f.0.get("password").map(String::as_str).unwrap_or("") {
            "" => None,
            p => Some(NewPassword::parse(p)?),
        };
        let edit = UserEdit {
            display_name,
            role,
            unit_id,
            disabled,
        };
        super::update_user(&state, &auth.user.actor(), &id, edit, pw.as_ref()).await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response()),
        Err(e) => user_form(&state, &auth, format!("/admin/users/{id}"), &f, false)
            .await?
            .refuse(e),
    }
}
