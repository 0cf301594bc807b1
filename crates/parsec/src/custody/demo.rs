//! A few demo custodies (only `parsec demo` calls it), each offence marked as demonstration
//! data: one near its deadline, one just begun with the rights notified, one extended under the
//! terrorism regime, one ended. Written straight into the register with their past times: the
//! services refuse back-dating, which is right for people and wrong for a demo's history.

use time::Duration;

use crate::app::AppState;
use crate::db;
use crate::error::AppResult;

/// Unit, regime, person (surname, given names, birth, nationality), offence, hours since the
/// start, entries (kind, hours since the start, by whom, reference, outcome).
type Held = (
    &'static str,
    &'static str,
    [&'static str; 4],
    &'static str,
    i64,
    &'static [(
        &'static str,
        i64,
        &'static str,
        &'static str,
        Option<&'static str>,
    )],
);

const HELD: &[Held] = &[
    (
        "Brigade de Koro",
        "ordinaire",
        ["Guindo", "Oumar", "1994-03-12", "ML"],
        "Vol de bétail",
        44,
        &[
            ("droit_motif", 0, "", "", None),
            ("droit_famille", 1, "Père, par téléphone", "", None),
            ("procureur", 2, "Procureur de Bankass", "", None),
            ("repas", 20, "", "", None),
        ],
    ),
    (
        "Brigade de Bankass",
        "ordinaire",
        ["Dicko", "Hamidou", "1988", "ML"],
        "Coups et blessures volontaires",
        3,
        &[
            ("droit_motif", 0, "", "", None),
            ("droit_avocat", 0, "", "", None),
            ("procureur", 1, "Procureur de Bankass", "", None),
        ],
    ),
    (
        "Brigade territoriale de Mopti",
        "terrorisme",
        ["Barry", "Sékou", "1979-07-30", "BF"],
        "Détention d'armes de guerre",
        60,
        &[
            ("droit_motif", 0, "", "", None),
            (
                "procureur",
                1,
                "Pôle judiciaire spécialisé, Bamako",
                "",
                None,
            ),
            ("visite_medicale", 26, "Dr Maïga, CSRéf de Mopti", "", None),
            (
                "prolongation",
                46,
                "Procureur du pôle spécialisé",
                "PJS-2026-041",
                None,
            ),
        ],
    ),
    (
        "Brigade de Djenné",
        "ordinaire",
        ["Sidibé", "Awa", "2001-11-02", "ML"],
        "Recel",
        30,
        &[
            ("droit_motif", 0, "", "", None),
            ("procureur", 1, "Procureur de Djenné", "", None),
            ("fin", 26, "", "", Some("libere")),
        ],
    ),
];

pub async fn seed(state: &AppState) -> AppResult<()> {
    let now = db::now().replace_second(0).unwrap_or_else(|_| db::now());
    let mut tx = db::begin_write(&state.db).await?;
    for (unit, regime, [surname, given, birth, nationality], offence, hours, entries) in HELD {
        let unit_id: Option<String> = sqlx::query_scalar("SELECT id FROM units WHERE name = ?")
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(unit_id) = unit_id else { continue };
        let started = now - Duration::hours(*hours);
        let id = db::new_id();
        // Sealed like any custody: a demo database must not teach that names lie in clear.
        let seal = |column: &str, value: &str| state.keys.seal("custodies", column, &id, value);
        sqlx::query(
            "INSERT INTO custodies (id, unit_id, regime, opj, surname, given_names, birth_date,
             nationality, offence, place, started_at, recorded_by, recorded_at)
             VALUES (?, ?, ?, 'Adjudant-chef (démo)', ?, ?, ?, ?, ?, ?, ?, 'demo', ?)",
        )
        .bind(&id)
        .bind(&unit_id)
        .bind(regime)
        .bind(seal("surname", surname))
        .bind(seal("given_names", given))
        .bind(seal("birth_date", birth))
        .bind(nationality)
        .bind(seal(
            "offence",
            &format!("{offence} (données de démonstration)"),
        ))
        .bind(format!("{unit}, local de garde à vue"))
        .bind(db::timestamp(started))
        .bind(db::timestamp(started + Duration::minutes(10)))
        .execute(&mut *tx)
        .await?;
        for (kind, after, by, reference, outcome) in *entries {
            let at = started + Duration::hours(*after) + Duration::minutes(15);
            let entry = db::new_id();
            sqlx::query(
                "INSERT INTO custody_entries (id, custody_id, kind, at, by_whom, reference,
                 outcome, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'demo', ?)",
            )
            .bind(&entry)
            .bind(&id)
            .bind(kind)
            .bind(db::timestamp(at))
            .bind(state.keys.seal("custody_entries", "by_whom", &entry, by))
            .bind(reference)
            .bind(outcome)
            .bind(db::timestamp(at + Duration::minutes(5)))
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
