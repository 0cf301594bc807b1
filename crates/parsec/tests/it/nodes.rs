//! The nodes of the region: identities given once, posts registered by the regional node with
//! a one-time code, each side's key pinned at enrolment.

use crate::cli::{parsec, text};
use crate::support::TestApp;

#[tokio::test]
async fn a_post_enrols_once_with_its_code_and_each_side_pins_the_others_key() {
    let regional = TestApp::spawn().await;
    let post = TestApp::spawn().await;
    let db = regional.db_path.to_str().unwrap().to_string();
    // The command line gives the regional node its identity, once.
    let o = parsec(
        &[
            "node",
            "init",
            "--db",
            &db,
            "--role",
            "regional",
            "--name",
            "Centre régional",
            "--unit",
            "Légion de gendarmerie de Mopti — état-major",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("clé publique"), "{}", text(&o));
    let again = parsec(
        &[
            "node",
            "init",
            "--db",
            &db,
            "--role",
            "post",
            "--name",
            "Autre",
            "--unit",
            "Poste frontière de Koro",
        ],
        &[],
    );
    assert!(!again.status.success());
    assert!(
        text(&again).contains("déjà son identité"),
        "{}",
        text(&again)
    );
    // It registers the post of Koro and gives its code.
    let o = parsec(
        &[
            "node",
            "register",
            "--db",
            &db,
            "--name",
            "Poste de Koro",
            "--unit",
            "Poste frontière de Koro",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let code = text(&o).trim().rsplit(' ').next().unwrap().to_string();
    assert_eq!(code.len(), 12, "{code}");
    // The post has its own identity and key; it enrols with the code.
    let actor = parsec::audit::Actor::system("test");
    let me = parsec::sync::init(
        &post.state,
        &actor,
        parsec::sync::Role::Post,
        "Poste de Koro",
        "Poste frontière de Koro",
    )
    .await
    .unwrap();
    let post_key = parsec::sync::public_key(&post.state).await.unwrap();
    let wrong = parsec::sync::enrol(&regional.state, "AAAA-BBBB-CC", &me.id, &post_key).await;
    assert!(wrong.is_err());
    // Typed in lower case, with spaces: the same code.
    let typed = code.to_lowercase().replace('-', " ");
    let enrolled = parsec::sync::enrol(&regional.state, &typed, &me.id, &post_key)
        .await
        .unwrap();
    assert_eq!(enrolled.name, "Poste de Koro");
    parsec::sync::pin_regional(&post.state, &actor, &enrolled)
        .await
        .unwrap();
    // Used once: a second enrolment with it is refused.
    assert!(
        parsec::sync::enrol(&regional.state, &code, "another-node", &post_key)
            .await
            .is_err()
    );
    // Each side holds the other's key.
    let pinned: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT node_id, public_key FROM nodes WHERE role = 'post'")
            .fetch_one(&regional.state.db)
            .await
            .unwrap();
    assert_eq!(pinned, (Some(me.id.clone()), Some(post_key)));
    let regional_key = parsec::sync::public_key(&regional.state).await.unwrap();
    let pinned: Option<String> =
        sqlx::query_scalar("SELECT public_key FROM nodes WHERE role = 'regional'")
            .fetch_one(&post.state.db)
            .await
            .unwrap();
    assert_eq!(pinned, Some(regional_key));
    let o = parsec(&["node", "list", "--db", &db], &[]);
    assert!(
        text(&o).contains("Poste de Koro") && text(&o).contains("enrôlé le"),
        "{}",
        text(&o)
    );
}
