//! The programme's demo records. The programme's public facts are real: PARSEC Mopti, funded
//! by the European Union (29 M€, 42 months from 30 January 2017), implemented by Expertise
//! France with the Gendarmerie and the Protection civile, in two phases (identification after a
//! joint diagnostic, then implementation) and two components; six river patrol boats and two
//! ambulances handed over on 12 July 2019 with their title deeds; a Cessna 208 Caravan
//! observation aircraft handed over in April 2019; an inter-service maintenance workshop, a
//! gendarmerie barracks and an aircraft hangar at Sévaré; coordination with EUCAP Sahel Mali
//! and EUTM Mali. Everything else — the budget's figures, the other dates, the needs, the
//! baselines and targets — is made up and marked as demonstration data (`demo = 1`).

use super::budget::{self, Amount, Component, EntryKind, NewEntry, NewLine};
use crate::app::AppState;
use crate::audit::Actor;
use crate::db;
use crate::error::{AppError, AppResult};

/// (name, kind, note)
const PARTNERS: &[(&str, &str, &str)] = &[
    (
        "Union européenne",
        "bailleur",
        "Fonds fiduciaire d'urgence pour l'Afrique : 29 M€.",
    ),
    (
        "Expertise France",
        "mise_en_oeuvre",
        "Agence de mise en œuvre du programme.",
    ),
    ("Gendarmerie nationale", "beneficiaire", ""),
    (
        "Direction générale de la Protection civile",
        "beneficiaire",
        "",
    ),
    (
        "EUCAP Sahel Mali",
        "partenaire",
        "Mission civile de l'UE : formation, conseil.",
    ),
    (
        "EUTM Mali",
        "partenaire",
        "Mission de formation militaire de l'UE.",
    ),
];

/// (code, title, phase, component, partner, planned start, planned end, actual start,
/// actual end, status)
type ActivityRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

const ACTIVITIES: &[ActivityRow] = &[
    (
        "I.1",
        "Diagnostic conjoint des besoins des forces",
        "identification",
        "securite",
        "Expertise France",
        "2017-01-30",
        "2017-06-30",
        Some("2017-01-30"),
        Some("2017-07-31"),
        "terminee",
    ),
    (
        "S.1",
        "Vedettes fluviales et ambulances",
        "mise_en_oeuvre",
        "moyens",
        "Expertise France",
        "2018-01-15",
        "2019-06-30",
        Some("2018-02-01"),
        Some("2019-07-12"),
        "terminee",
    ),
    (
        "S.2",
        "Avion d'observation Cessna 208 Caravan et son hangar",
        "mise_en_oeuvre",
        "moyens",
        "Expertise France",
        "2018-03-01",
        "2019-04-30",
        Some("2018-03-15"),
        Some("2019-04-26"),
        "terminee",
    ),
    (
        "S.3",
        "Atelier de maintenance inter-services de Sévaré",
        "mise_en_oeuvre",
        "moyens",
        "Expertise France",
        "2018-06-01",
        "2020-06-30",
        Some("2018-09-01"),
        Some("2020-02-14"),
        "terminee",
    ),
    (
        "S.4",
        "Caserne de la Légion de gendarmerie à Sévaré",
        "mise_en_oeuvre",
        "securite",
        "Expertise France",
        "2018-09-01",
        "2020-03-31",
        Some("2018-11-01"),
        Some("2020-03-20"),
        "terminee",
    ),
    (
        "S.5",
        "Formation à la police judiciaire et à la garde à vue",
        "mise_en_oeuvre",
        "securite",
        "EUCAP Sahel Mali",
        "2018-01-01",
        "2020-07-31",
        Some("2018-04-01"),
        Some("2020-07-31"),
        "terminee",
    ),
    (
        "F.1",
        "Postes frontières : équipement et enregistrement des passages",
        "mise_en_oeuvre",
        "frontieres",
        "Expertise France",
        "2018-10-01",
        "2020-07-31",
        Some("2019-01-15"),
        Some("2020-09-30"),
        "terminee",
    ),
    (
        "F.2",
        "Coopération transfrontalière avec le Burkina Faso",
        "mise_en_oeuvre",
        "frontieres",
        "Expertise France",
        "2019-09-01",
        "2020-07-31",
        None,
        None,
        "annulee",
    ),
];

/// (activity, partner, cercle, note)
const INTERVENTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "S.1",
        "Expertise France",
        "Mopti",
        "Brigade fluviale de Komoguel",
    ),
    ("S.3", "Expertise France", "Mopti", "Sévaré"),
    ("S.5", "EUCAP Sahel Mali", "Mopti", ""),
    ("S.5", "EUCAP Sahel Mali", "Bandiagara", ""),
    ("F.1", "Expertise France", "Koro", "Poste frontière de Koro"),
    (
        "F.1",
        "Expertise France",
        "Bankass",
        "Poste frontière de Ouenkoro",
    ),
    ("", "EUTM Mali", "Mopti", "Formation des unités"),
];

/// (title, kind, asset registration or site name, activity, recipient unit, handed over,
/// document, warranty end)
type DeliveryRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const DELIVERIES: &[DeliveryRow] = &[
    (
        "Vedette fluviale n° 1",
        "equipement",
        "GN-VF-01",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-01",
        Some("2021-07-12"),
    ),
    (
        "Vedette fluviale n° 2",
        "equipement",
        "GN-VF-02",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-02",
        Some("2021-07-12"),
    ),
    (
        "Vedette fluviale n° 3",
        "equipement",
        "GN-VF-03",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-03",
        Some("2021-07-12"),
    ),
    (
        "Vedette fluviale n° 4",
        "equipement",
        "GN-VF-04",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-04",
        Some("2021-07-12"),
    ),
    (
        "Vedette fluviale n° 5",
        "equipement",
        "GN-VF-05",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-05",
        Some("2021-07-12"),
    ),
    (
        "Vedette fluviale n° 6",
        "equipement",
        "GN-VF-06",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-06",
        Some("2021-07-12"),
    ),
    (
        "Ambulance n° 1",
        "equipement",
        "PC-AMB-01",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-07",
        Some("2021-07-12"),
    ),
    (
        "Ambulance n° 2",
        "equipement",
        "PC-AMB-02",
        "S.1",
        "",
        "2019-07-12",
        "Acte de propriété AP-2019-07-08",
        Some("2021-07-12"),
    ),
    (
        "Avion d'observation Cessna 208 Caravan",
        "equipement",
        "TZ-PSC",
        "S.2",
        "",
        "2019-04-26",
        "Acte de propriété AP-2019-04-01",
        Some("2021-04-26"),
    ),
    (
        "Hangar de l'avion",
        "infrastructure",
        "Hangar de l'aéroport de Mopti-Ambodédjo",
        "S.2",
        "",
        "2019-04-26",
        "PV de réception PV-2019-04-02",
        None,
    ),
    (
        "Atelier de maintenance inter-services",
        "infrastructure",
        "Atelier inter-services de Sévaré",
        "S.3",
        "",
        "2020-02-14",
        "PV de réception PV-2020-02-01",
        None,
    ),
    (
        "Caserne de gendarmerie de Sévaré",
        "infrastructure",
        "Caserne de la Légion de gendarmerie (Sévaré)",
        "S.4",
        "",
        "2020-03-20",
        "PV de réception PV-2020-03-01",
        None,
    ),
];

/// (title, cercle, priority, activity answering it)
const NEEDS: &[(&str, &str, i64, &str)] = &[
    ("Moyens de patrouille sur le fleuve", "Mopti", 1, "S.1"),
    ("Évacuation sanitaire des blessés", "Mopti", 1, "S.1"),
    (
        "Observation aérienne des zones isolées",
        "Bandiagara",
        1,
        "S.2",
    ),
    ("Entretien des véhicules des forces", "Mopti", 1, "S.3"),
    (
        "Enregistrement des passages aux frontières",
        "Koro",
        2,
        "F.1",
    ),
    ("Radios des postes isolés", "Douentza", 1, ""),
    ("Éclairage solaire des postes frontières", "Bankass", 2, ""),
    (
        "Formation des agents à l'accueil des victimes",
        "Djenné",
        3,
        "",
    ),
];

/// (line code, component, activity, title, planned €)
const LINES: &[(&str, &str, &str, &str, i64)] = &[
    (
        "B1.1",
        "securite",
        "S.4",
        "Infrastructures de sécurité",
        6_500_000,
    ),
    (
        "B1.2",
        "securite",
        "S.5",
        "Formation et appui à l'État de droit",
        4_000_000,
    ),
    (
        "B2.1",
        "frontieres",
        "F.1",
        "Équipement des postes frontières",
        5_500_000,
    ),
    (
        "B2.2",
        "frontieres",
        "F.2",
        "Coopération transfrontalière",
        2_500_000,
    ),
    (
        "B3.1",
        "moyens",
        "S.1",
        "Vedettes fluviales et ambulances",
        3_800_000,
    ),
    (
        "B3.2",
        "moyens",
        "S.2",
        "Avion d'observation et hangar",
        3_200_000,
    ),
    ("B3.3", "moyens", "S.3", "Atelier de maintenance", 1_500_000),
    (
        "B4.1",
        "gestion",
        "",
        "Gestion, suivi et évaluation",
        2_000_000,
    ),
];

/// (line, kind, day, € amount, reference)
const ENTRIES: &[(&str, &str, &str, i64, &str)] = &[
    (
        "B3.1",
        "engagement",
        "2018-02-01",
        3_650_000,
        "Marché 2018-001",
    ),
    ("B3.1", "paiement", "2018-03-15", 1_095_000, "Avance 30 %"),
    (
        "B3.1",
        "paiement",
        "2019-07-20",
        2_555_000,
        "Solde à la livraison",
    ),
    (
        "B3.2",
        "engagement",
        "2018-03-15",
        3_050_000,
        "Marché 2018-002",
    ),
    (
        "B3.2",
        "paiement",
        "2019-05-10",
        3_050_000,
        "Livraison de l'avion",
    ),
    (
        "B3.3",
        "engagement",
        "2018-09-01",
        1_420_000,
        "Marché 2018-007",
    ),
    ("B3.3", "paiement", "2019-03-01", 710_000, "Avance 50 %"),
    (
        "B1.1",
        "engagement",
        "2018-11-01",
        6_100_000,
        "Marché 2018-011",
    ),
    (
        "B1.1",
        "paiement",
        "2019-06-30",
        3_050_000,
        "Situation n° 1",
    ),
    (
        "B1.2",
        "engagement",
        "2018-04-01",
        2_000_000,
        "Convention EUCAP",
    ),
    ("B1.2", "paiement", "2019-01-15", 900_000, "Tranche 1"),
    (
        "B2.1",
        "engagement",
        "2019-01-15",
        4_200_000,
        "Marché 2019-002",
    ),
    ("B2.1", "paiement", "2019-09-30", 1_260_000, "Avance 30 %"),
    (
        "B4.1",
        "engagement",
        "2017-01-30",
        2_000_000,
        "Contrat de gestion",
    ),
    (
        "B4.1",
        "paiement",
        "2019-12-31",
        1_150_000,
        "Frais 2017–2019",
    ),
];

/// (indicator, baseline, baseline period, target)
const TARGETS: &[(&str, f64, &str, f64)] = &[
    ("response_minutes", 180.0, "2017", 90.0),
    ("population_within_2h", 40.0, "2017", 60.0),
    ("alerts_reviewed_24h", 50.0, "2019", 95.0),
    ("patrols_done", 60.0, "2018", 85.0),
    ("availability", 55.0, "2017", 80.0),
];

/// Seeds the programme's demo records once (nothing when a partner is already there).
pub async fn seed(state: &AppState) -> AppResult<()> {
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programme_partners")
        .fetch_one(&state.db)
        .await?;
    if held > 0 {
        return Ok(());
    }
    let mut tx = db::begin_write(&state.db).await?;
    let now = db::now_text();
    for (name, kind, note) in PARTNERS {
        sqlx::query(
            "INSERT INTO programme_partners (id, name, kind, note, demo) VALUES (?, ?, ?, ?, 1)",
        )
        .bind(db::new_id())
        .bind(name)
        .bind(kind)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    }
    for (code, title, phase, component, partner, ps, pe, a_s, a_e, status) in ACTIVITIES {
        sqlx::query(
            "INSERT INTO programme_activities (id, code, title, phase, component, partner_id,
             planned_start, planned_end, actual_start, actual_end, status, demo)
             VALUES (?, ?, ?, ?, ?, (SELECT id FROM programme_partners WHERE name = ?),
             ?, ?, ?, ?, ?, 1)",
        )
        .bind(db::new_id())
        .bind(code)
        .bind(title)
        .bind(phase)
        .bind(component)
        .bind(partner)
        .bind(ps)
        .bind(pe)
        .bind(a_s)
        .bind(a_e)
        .bind(status)
        .execute(&mut *tx)
        .await?;
    }
    const ACTIVITY: &str = "(SELECT id FROM programme_activities WHERE code = ?)";
    for (activity, partner, cercle, note) in INTERVENTIONS {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO programme_interventions (id, partner_id, activity_id, cercle, note, demo)
             VALUES (?, (SELECT id FROM programme_partners WHERE name = ?), {ACTIVITY}, ?, ?, 1)"
        )))
        .bind(db::new_id())
        .bind(partner)
        .bind(activity)
        .bind(cercle)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    }
    for (title, kind, what, activity, _unit, on, document, warranty) in DELIVERIES {
        // The recipient is the asset's unit, or the site's.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO programme_deliveries (id, title, kind, asset_id, site_id, activity_id,
             recipient_unit_id, handed_over_on, document_ref, warranty_end, demo)
             VALUES (?1, ?2, ?3, (SELECT id FROM assets WHERE registration = ?4),
             (SELECT id FROM sites WHERE name = ?4), {activity_by_5},
             COALESCE((SELECT unit_id FROM assets WHERE registration = ?4),
                      (SELECT unit_id FROM sites WHERE name = ?4)), ?6, ?7, ?8, 1)",
            activity_by_5 = "(SELECT id FROM programme_activities WHERE code = ?5)"
        )))
        .bind(db::new_id())
        .bind(title)
        .bind(kind)
        .bind(what)
        .bind(activity)
        .bind(on)
        .bind(document)
        .bind(warranty)
        .execute(&mut *tx)
        .await?;
    }
    for (title, cercle, priority, activity) in NEEDS {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO programme_needs (id, title, cercle, priority, activity_id, identified_on,
             demo) VALUES (?, ?, ?, ?, {ACTIVITY}, '2017-06-15', 1)"
        )))
        .bind(db::new_id())
        .bind(title)
        .bind(cercle)
        .bind(priority)
        .bind(activity)
        .execute(&mut *tx)
        .await?;
    }
    for (code, baseline, period, target) in TARGETS {
        sqlx::query(
            "INSERT INTO programme_indicators (code, baseline, target, baseline_period,
             updated_at, updated_by) VALUES (?, ?, ?, ?, ?, 'demo')",
        )
        .bind(code)
        .bind(baseline)
        .bind(target)
        .bind(format!("{period} (démo)"))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    // The budget through its own service, each line and entry audited as any other.
    let actor = Actor::system("demo");
    let mut line_ids = std::collections::HashMap::new();
    for (code, component, activity, title, eur) in LINES {
        let activity_id: Option<String> =
            sqlx::query_scalar("SELECT id FROM programme_activities WHERE code = ?")
                .bind(activity)
                .fetch_optional(&state.db)
                .await?;
        let line = NewLine {
            code: code.to_string(),
            component: Component::parse(component)
                .ok_or_else(|| AppError::Internal(format!("demo component {component}")))?,
            activity_id,
            title: title.to_string(),
            planned_eur_cents: eur * 100,
            demo: true,
        };
        line_ids.insert(*code, budget::create_line(state, &actor, &line).await?);
    }
    for (line, kind, day, eur, reference) in ENTRIES {
        let entry = NewEntry {
            kind: EntryKind::parse(kind)
                .ok_or_else(|| AppError::Internal(format!("demo entry kind {kind}")))?,
            on_day: db::day(day).ok_or_else(|| AppError::Internal(format!("demo day {day}")))?,
            amount: Amount::Eur(eur * 100),
            reference: reference.to_string(),
            demo: true,
        };
        let line_id = line_ids
            .get(line)
            .ok_or_else(|| AppError::Internal(format!("demo line {line}")))?;
        budget::record_entry(state, &actor, line_id, &entry).await?;
    }
    Ok(())
}
