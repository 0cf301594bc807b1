//! The nodes' pages (issue 11): the nodes page on the regional node and on a post, the
//! conflicts kept by the synchronisation and the decision on each, the banner of a post that
//! has not heard from the regional node.

use parsec::audit::Actor;
use parsec::sync::Role;

use crate::support::{TestApp, location};

const KORO: &str = "Poste frontière de Koro";
const OUENKORO: &str = "Poste frontière de Ouenkoro";
const STAFF: &str = "Légion de gendarmerie de Mopti — état-major";

/// A regional node and the post of Koro enrolled with it (the post's node id with them), as
/// `parsec node enrol` leaves them; a second post, Ouenkoro, registered and not enrolled.
async fn region() -> (TestApp, TestApp, String) {
    let regional = TestApp::spawn().await;
    let post = TestApp::spawn().await;
    let actor = Actor::system("test");
    parsec::sync::init(
        &regional.state,
        &actor,
        Role::Regional,
        "Centre régional",
        STAFF,
    )
    .await
    .unwrap();
    let (_, code) = parsec::sync::register_post(&regional.state, &actor, "Poste de Koro", KORO)
        .await
        .unwrap();
    parsec::sync::register_post(&regional.state, &actor, "Poste de Ouenkoro", OUENKORO)
        .await
        .unwrap();
    let me = parsec::sync::init(&post.state, &actor, Role::Post, "Poste de Koro", KORO)
        .await
        .unwrap();
    let key = parsec::sync::public_key(&post.state).await.unwrap();
    let enrolled = parsec::sync::enrol(&regional.state, &code, &me.id, &key)
        .await
        .unwrap();
    parsec::sync::pin_regional(&post.state, &actor, &enrolled)
        .await
        .unwrap();
    (regional, post, me.id)
}

async fn exec(app: &TestApp, sql: &'static str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(&app.state.db).await.unwrap();
}

/// A post's own changes, as its change log numbers them.
async fn own_last(app: &TestApp, me: &str) -> i64 {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE origin = ?")
        .bind(me)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// The banner of a page, if it has one.
fn banner(html: &str) -> Option<String> {
    let start = html.find("id=\"offline\">")? + "id=\"offline\">".len();
    let end = html[start..].find("</p>")? + start;
    Some(html[start..end].replace("&#39;", "'"))
}

#[tokio::test]
async fn a_post_out_of_touch_says_so_on_every_page_and_the_regional_node_never_does() {
    // A post that never reached the regional node: every page says so, with what waits.
    let post = TestApp::spawn().await;
    let actor = Actor::system("test");
    let me = parsec::sync::init(&post.state, &actor, Role::Post, "Poste de Koro", KORO)
        .await
        .unwrap();
    // Its own records, written since it has its identity.
    for i in 0..4 {
        exec(
            &post,
            "UPDATE assets SET notes = ? WHERE registration = 'GN-VF-01'",
            &[&format!("relevé {i}")],
        )
        .await;
    }
    let mut agent = post.login("agent.koro").await;
    let last = own_last(&post, &me.id).await;
    assert!(last > 3, "the post's records are its own changes: {last}");
    // As if the regional node had acknowledged all but the last three.
    exec(
        &post,
        "INSERT INTO sync_cursors (stream, applied) VALUES ('sent', ?)",
        &[&(last - 3).to_string()],
    )
    .await;
    // The home page last: its list of the day's crossings is a read, audited, and the audit
    // entry waits to go up like any record.
    for page in ["/assets", "/account", "/"] {
        let (status, html) = agent.get_text(page).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            banner(&html).as_deref(),
            Some(
                "Hors ligne : aucun échange avec le nœud régional — 3 enregistrements en attente \
                 d'envoi"
            ),
            "{page}"
        );
    }
    // A record changed here is one more to send.
    let asset = post.asset_id("GN-4525-MD").await;
    exec(
        &post,
        "UPDATE assets SET notes = 'Vidange faite' WHERE id = ?",
        &[&asset],
    )
    .await;
    // (and the home page's audited read just before: five.)
    let (_, html) = agent.get_text("/account").await;
    assert!(
        banner(&html).is_some_and(|b| b.ends_with("— 5 enregistrements en attente d'envoi")),
        "{:?}",
        banner(&html)
    );

    // Enrolled, in touch a moment ago: no banner.
    let (regional, post, me) = region().await;
    let mut agent = post.login("agent.koro").await;
    let (_, html) = agent.get_text("/").await;
    assert_eq!(banner(&html), None, "in touch: no banner");
    // Twenty minutes without contact: since when, and everything of its own still to send.
    let twenty_ago = parsec::db::timestamp(parsec::db::now() - time::Duration::minutes(20));
    exec(
        &post,
        "UPDATE nodes SET last_contact = ? WHERE role = 'regional'",
        &[&twenty_ago],
    )
    .await;
    let pending = own_last(&post, &me).await;
    let (_, html) = agent.get_text("/incidents").await;
    let shown = format!(
        "{}/{}/{} {}",
        &twenty_ago[8..10],
        &twenty_ago[5..7],
        &twenty_ago[..4],
        &twenty_ago[11..16]
    );
    let count = pending
        .to_string()
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\u{202f}");
    assert_eq!(
        banner(&html),
        Some(format!(
            "Hors ligne depuis le {shown} — {count} enregistrements en attente d'envoi"
        ))
    );
    // Fourteen minutes: still in touch.
    let fourteen_ago = parsec::db::timestamp(parsec::db::now() - time::Duration::minutes(14));
    exec(
        &post,
        "UPDATE nodes SET last_contact = ? WHERE role = 'regional'",
        &[&fourteen_ago],
    )
    .await;
    let (_, html) = agent.get_text("/").await;
    assert_eq!(banner(&html), None);

    // The regional node has no regional node to lose: never a banner, even with old contacts.
    exec(
        &regional,
        "UPDATE nodes SET last_contact = '2026-01-01T00:00:00Z'",
        &[],
    )
    .await;
    let mut ops = regional.login("operations").await;
    for page in ["/", "/nodes", "/assets"] {
        let (status, html) = ops.get_text(page).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(banner(&html), None, "{page}");
    }
}

#[tokio::test]
async fn the_nodes_page_shows_each_post_its_contact_its_changes_and_what_went_wrong() {
    let (regional, post, post_id) = region().await;
    exec(
        &regional,
        "UPDATE nodes SET last_contact = '2026-12-04T16:45:09Z', last_error = 'clock-ahead 540000'
         WHERE node_id = ?",
        &[&post_id],
    )
    .await;
    exec(
        &regional,
        "INSERT INTO sync_cursors (stream, applied) VALUES (?, 1234)",
        &[&post_id],
    )
    .await;
    let mut ops = regional.login("operations").await;
    let (status, html) = ops.get_text("/nodes").await;
    assert_eq!(status, 200);
    for text in [
        "Centre régional",
        "Nœud régional (centre des opérations)",
        "Poste de Koro",
        KORO,
        "enrôlé le",
        "04/12/2026 16:45",
        "1\u{202f}234",
        "Horloge du poste en avance de 9 min ou plus",
        "Poste de Ouenkoro",
        "en attente d&#39;enrôlement",
    ] {
        assert!(html.contains(text), "the nodes page lacks {text:?}");
    }
    // An audit chain that no longer agrees with its checkpoints is a warning too.
    exec(
        &regional,
        "UPDATE nodes SET last_error = 'entry 9 is not the one stated: the chain was rewritten'
         WHERE node_id = ?",
        &[&post_id],
    )
    .await;
    let (_, html) = ops.get_text("/nodes").await;
    assert!(html.contains("Journal d&#39;audit du poste rompu"));
    assert!(!html.contains("Horloge du poste"));
    // The commandant of Koro sees the posts of his brigade, not Ouenkoro.
    let mut cdt = regional.login("commandant.koro").await;
    let (status, html) = cdt.get_text("/nodes").await;
    assert_eq!(status, 200);
    assert!(html.contains("Poste de Koro") && !html.contains("Poste de Ouenkoro"));
    let mut agent = regional.login("agent.koro").await;
    assert_eq!(agent.get("/nodes").await.status(), 403);

    // On the post: the regional node, what waits to go up, the failed exchange.
    exec(
        &post,
        "UPDATE nodes SET last_error = 'internal error: le nœud régional ne répond pas'
         WHERE role = 'regional'",
        &[],
    )
    .await;
    let mut admin = post.login("admin").await;
    let last = own_last(&post, &post_id).await;
    exec(
        &post,
        "INSERT INTO sync_cursors (stream, applied) VALUES ('sent', ?)",
        &[&(last - 7).to_string()],
    )
    .await;
    let (status, html) = admin.get_text("/nodes").await;
    assert_eq!(status, 200);
    assert!(html.contains("Centre régional"));
    assert!(html.contains("<dt>Changements en attente d&#39;envoi</dt><dd>7</dd>"));
    assert!(html.contains("Le dernier échange avec le nœud régional a échoué"));
    // The detail of the failure stays in the log.
    assert!(!html.contains("ne répond pas"));
}

/// A conflict as the applier keeps it: values as JSON text.
async fn conflict(
    app: &TestApp,
    tbl: &str,
    row: &str,
    field: &str,
    kept: &str,
    lost: &str,
    lost_origin: &str,
) -> String {
    let id = parsec::db::new_id();
    exec(
        app,
        "INSERT INTO sync_conflicts (id, tbl, row_id, field, kept_value, kept_hlc, kept_origin,
         lost_value, lost_hlc, lost_origin, lost_actor, detected_at)
         VALUES (?, ?, ?, ?, ?, 1, (SELECT value FROM meta WHERE key = 'node_id'), ?, 2, ?,
                 'agent.koro', '2026-12-05T08:30:00Z')",
        &[&id, tbl, row, field, kept, lost, lost_origin],
    )
    .await;
    id
}

async fn notes(app: &TestApp, asset: &str) -> String {
    sqlx::query_scalar("SELECT notes FROM assets WHERE id = ?")
        .bind(asset)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn resolution(app: &TestApp, id: &str) -> (Option<String>, Option<String>, Option<String>) {
    sqlx::query_as("SELECT resolved_at, resolved_by, resolution FROM sync_conflicts WHERE id = ?")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_conflict_is_resolved_once_by_the_commandant_or_operations_and_goes_to_the_log() {
    let (regional, _post, post_id) = region().await;
    let koro = regional.asset_id("GN-4525-MD").await;
    let djenne = regional.asset_id("GN-VF-01").await;
    exec(
        &regional,
        "UPDATE assets SET notes = 'Révision faite' WHERE id = ?",
        &[&koro],
    )
    .await;
    let tyre = conflict(
        &regional,
        "assets",
        &koro,
        "notes",
        "\"Révision faite\"",
        "\"Pneu avant crevé\"",
        &post_id,
    )
    .await;
    let djenne_notes = notes(&regional, &djenne).await;
    let engine = conflict(
        &regional,
        "assets",
        &djenne,
        "notes",
        &serde_json::to_string(&djenne_notes).unwrap(),
        "\"Moteur à revoir\"",
        &post_id,
    )
    .await;
    // Stored names are never trusted: a column that is not one, a table that is not replicated.
    let forged_column = conflict(
        &regional,
        "assets",
        &koro,
        "notes\" = 'x', unit_id = \"unit_id",
        "\"a\"",
        "\"Colonne forgée\"",
        &post_id,
    )
    .await;
    let forged_table = conflict(
        &regional,
        "sessions",
        &koro,
        "user_id",
        "\"a\"",
        "\"Table forgée\"",
        &post_id,
    )
    .await;

    // An agent neither sees nor decides.
    let mut agent = regional.login("agent.koro").await;
    assert_eq!(agent.get("/nodes/conflicts").await.status(), 403);
    let res = agent
        .post_form(&format!("/nodes/conflicts/{tyre}"), &[("choice", "take")])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(notes(&regional, &koro).await, "Révision faite");

    // The administrator sees the list and cannot decide.
    let mut admin = regional.login("admin").await;
    let (status, html) = admin.get_text("/nodes/conflicts").await;
    assert_eq!(status, 200);
    assert!(html.contains("Pneu avant crevé") && !html.contains("id=\"take-"));
    let res = admin
        .post_form(&format!("/nodes/conflicts/{tyre}"), &[("choice", "take")])
        .await;
    assert_eq!(res.status(), 403);

    // The commandant of Koro sees the conflicts of his brigade: both values, their nodes, the
    // author of the value set aside, a link to the record.
    let mut cdt = regional.login("commandant.koro").await;
    let (status, html) = cdt.get_text("/nodes/conflicts").await;
    assert_eq!(status, 200);
    for text in [
        "Pneu avant crevé",
        "Révision faite",
        "Centre régional",
        "Poste de Koro · agent.koro",
        &format!("<a href=\"/assets/{koro}\">GN-4525-MD</a>"),
        "05/12/2026 08:30",
        &format!("id=\"take-{tyre}\""),
    ] {
        assert!(html.contains(text), "the conflicts page lacks {text:?}");
    }
    assert!(!html.contains("Moteur à revoir"), "Djenné is not his");
    // A forged column is shown, never offered to take.
    assert!(!html.contains(&format!("id=\"take-{forged_column}\"")));
    // Narrowed to the post's conflicts, from the nodes page.
    let (_, nodes) = cdt.get_text("/nodes").await;
    let narrowed = format!("/nodes/conflicts?node={post_id}");
    assert!(
        nodes.contains(&format!("<a href=\"{narrowed}\">")),
        "{nodes}"
    );
    let (_, html) = cdt.get_text(&narrowed).await;
    assert!(html.contains("Pneu avant crevé"));
    let (_, html) = cdt.get_text("/nodes/conflicts?node=someone-else").await;
    assert!(!html.contains("Pneu avant crevé"));
    // Out of his scope: as if it did not exist.
    let res = cdt
        .post_form(&format!("/nodes/conflicts/{engine}"), &[("choice", "take")])
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(notes(&regional, &djenne).await, djenne_notes);

    // He takes the value set aside: in the record, the conflict closed, the log says so, the
    // change goes to the other nodes.
    let res = cdt
        .post_form(&format!("/nodes/conflicts/{tyre}"), &[("choice", "take")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/nodes/conflicts?done=take");
    let (_, html) = cdt.get_text(&location(&res)).await;
    assert!(html.contains("Conflit résolu : la valeur mise de côté est reprise"));
    assert!(
        !html.contains("Pneu avant crevé"),
        "resolved, gone from the list"
    );
    assert_eq!(notes(&regional, &koro).await, "Pneu avant crevé");
    let (at, by, choice) = resolution(&regional, &tyre).await;
    assert!(at.is_some());
    assert_eq!(
        (by.as_deref(), choice.as_deref()),
        (Some("commandant.koro"), Some("take"))
    );
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'resolve' AND entity = 'sync_conflict'
         AND entity_id = ? AND actor = 'commandant.koro' AND detail LIKE 'choice=take %'",
    )
    .bind(&tyre)
    .fetch_one(&regional.state.db)
    .await
    .unwrap();
    assert_eq!(logged, 1);
    let captured: Option<String> = sqlx::query_scalar(
        "SELECT json_extract(fields, '$.notes') FROM changes
         WHERE tbl = 'assets' AND row_id = ? AND op = 'update' AND actor = 'commandant.koro'
         ORDER BY pos DESC LIMIT 1",
    )
    .bind(&koro)
    .fetch_optional(&regional.state.db)
    .await
    .unwrap();
    assert_eq!(captured.as_deref(), Some("Pneu avant crevé"));
    // Once: a second decision on it is refused, and nothing moves.
    let res = cdt
        .post_form(&format!("/nodes/conflicts/{tyre}"), &[("choice", "keep")])
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        resolution(&regional, &tyre).await.2.as_deref(),
        Some("take")
    );

    // Operations keeps the value in place at Djenné: the record does not change.
    let mut ops = regional.login("operations").await;
    let res = ops
        .post_form(&format!("/nodes/conflicts/{engine}"), &[("choice", "keep")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/nodes/conflicts?done=keep");
    assert_eq!(notes(&regional, &djenne).await, djenne_notes);
    assert_eq!(
        resolution(&regional, &engine).await.1.as_deref(),
        Some("operations")
    );

    // The forged names are refused with a reason; the conflicts stay open, nothing is written.
    for forged in [&forged_column, &forged_table] {
        let (status, html) = ops
            .post_form_text(&format!("/nodes/conflicts/{forged}"), &[("choice", "take")])
            .await;
        assert_eq!(status, 422, "{forged}");
        assert!(html.contains("un champ que ce nœud ne connaît pas"));
        assert_eq!(resolution(&regional, forged).await.0, None);
    }
    assert_eq!(notes(&regional, &koro).await, "Pneu avant crevé");
    // No choice, no decision.
    let (status, _) = ops
        .post_form_text(&format!("/nodes/conflicts/{forged_table}"), &[])
        .await;
    assert_eq!(status, 422);
    assert_eq!(regional.audit_count("resolve").await, 2);
}
