//! The demo data: the units of the region at their real locations, the programme's deliveries
//! (six river patrol boats, two ambulances, a Cessna 208 Caravan at Sévaré), vehicles,
//! generators and radios, infrastructure sites, and one account per role. Only `parsec demo`
//! calls this; everything goes through the normal service functions, so it is audited too.

use super::model::{AssetKind, AssetStatus, SiteKind, SiteStatus, UnitKind};
use super::{AssetInput, Place, SiteInput, UnitInput};
use crate::accounts::{self, Login, NewPassword, NewUser, Role};
use crate::app::AppState;
use crate::audit::Actor;
use crate::error::{AppError, AppResult};

/// The demo accounts: (login, display name, role, unit index in `UNITS` or none).
pub const ACCOUNTS: &[(&str, &str, Role, Option<usize>)] = &[
    ("admin", "Administrateur (démo)", Role::Admin, None),
    (
        "operations",
        "Officier des opérations (démo)",
        Role::Operations,
        Some(0),
    ),
    (
        "commandant.koro",
        "Commandant de brigade de Koro (démo)",
        Role::Commandant,
        Some(6),
    ),
    (
        "agent.koro",
        "Agent du poste frontière de Koro (démo)",
        Role::Agent,
        Some(7),
    ),
    (
        "atelier",
        "Chef d'atelier de Sévaré (démo)",
        Role::Atelier,
        Some(21),
    ),
    ("inspecteur", "Inspecteur (démo)", Role::Inspecteur, None),
    (
        "programme",
        "Équipe programme (démo)",
        Role::Programme,
        None,
    ),
];

const SEVARE: &str = "ocha:ML050109007";
const MOPTI: &str = "ocha:ML050000000";
const KOMOGUEL: &str = "ocha:ML050109004";
const BANDIAGARA: &str = "ocha:ML050201001";
const BANKASS: &str = "ocha:ML050301001";
const KORO: &str = "ocha:ML050711031";
const OUONKORO: &str = "ocha:ML050308017";
const DJENNE: &str = "ocha:ML050503004";
const DOUENTZA: &str = "ocha:ML050606003";
const TENENKOU: &str = "ocha:ML050808001";
const YOUWAROU: &str = "ocha:ML050400000";

/// (name, kind, force code, parent index, locality, call sign)
type UnitRow = (
    &'static str,
    UnitKind,
    &'static str,
    Option<usize>,
    &'static str,
    &'static str,
);

const UNITS: &[UnitRow] = &[
    (
        "Légion de gendarmerie de Mopti — état-major",
        UnitKind::EtatMajor,
        "GN",
        None,
        SEVARE,
        "LEGION-MOPTI",
    ),
    (
        "Compagnie de gendarmerie de Mopti",
        UnitKind::Compagnie,
        "GN",
        Some(0),
        MOPTI,
        "CIE-MOPTI",
    ),
    (
        "Brigade territoriale de Mopti",
        UnitKind::Brigade,
        "GN",
        Some(1),
        SEVARE,
        "BT-MOPTI",
    ),
    (
        "Brigade fluviale de Mopti",
        UnitKind::Brigade,
        "GN",
        Some(1),
        KOMOGUEL,
        "BF-MOPTI",
    ),
    (
        "Escadron de gendarmerie de Bandiagara",
        UnitKind::Escadron,
        "GN",
        Some(0),
        BANDIAGARA,
        "ESC-BANDIAGARA",
    ),
    (
        "Brigade de Bankass",
        UnitKind::Brigade,
        "GN",
        Some(4),
        BANKASS,
        "BT-BANKASS",
    ),
    (
        "Brigade de Koro",
        UnitKind::Brigade,
        "GN",
        Some(4),
        KORO,
        "BT-KORO",
    ),
    (
        "Poste frontière de Koro",
        UnitKind::PosteFrontiere,
        "GN",
        Some(6),
        KORO,
        "PF-KORO",
    ),
    (
        "Poste frontière de Ouenkoro",
        UnitKind::PosteFrontiere,
        "GN",
        Some(5),
        OUONKORO,
        "PF-OUENKORO",
    ),
    (
        "Brigade de Djenné",
        UnitKind::Brigade,
        "GN",
        Some(1),
        DJENNE,
        "BT-DJENNE",
    ),
    (
        "Brigade de Douentza",
        UnitKind::Brigade,
        "GN",
        Some(0),
        DOUENTZA,
        "BT-DOUENTZA",
    ),
    (
        "Brigade de Ténenkou",
        UnitKind::Brigade,
        "GN",
        Some(1),
        TENENKOU,
        "BT-TENENKOU",
    ),
    (
        "Brigade de Youwarou",
        UnitKind::Brigade,
        "GN",
        Some(1),
        YOUWAROU,
        "BT-YOUWAROU",
    ),
    (
        "Peloton de la Garde nationale de Djenné",
        UnitKind::Peloton,
        "GDN",
        None,
        DJENNE,
        "GDN-DJENNE",
    ),
    (
        "Direction régionale de la Protection civile",
        UnitKind::EtatMajor,
        "PC",
        None,
        MOPTI,
        "DRPC-MOPTI",
    ),
    (
        "Centre de secours de Mopti",
        UnitKind::CentreSecours,
        "PC",
        Some(14),
        SEVARE,
        "CS-MOPTI",
    ),
    (
        "Centre de secours de Douentza",
        UnitKind::CentreSecours,
        "PC",
        Some(14),
        DOUENTZA,
        "CS-DOUENTZA",
    ),
    (
        "Direction régionale des Douanes de Mopti",
        UnitKind::EtatMajor,
        "DN",
        None,
        MOPTI,
        "DRD-MOPTI",
    ),
    (
        "Bureau des douanes de Koro",
        UnitKind::PosteFrontiere,
        "DN",
        Some(17),
        KORO,
        "DOUANE-KORO",
    ),
    (
        "Poste de douane de Ouenkoro",
        UnitKind::PosteFrontiere,
        "DN",
        Some(17),
        OUONKORO,
        "DOUANE-OUENKORO",
    ),
    (
        "Direction régionale de la Police nationale",
        UnitKind::EtatMajor,
        "PN",
        None,
        MOPTI,
        "DRPN-MOPTI",
    ),
    (
        "Atelier inter-services de Sévaré",
        UnitKind::Atelier,
        "GN",
        None,
        SEVARE,
        "ATELIER-SEVARE",
    ),
];

/// (registration, kind, force, unit index, make, model, year, status, km, engine hours, flight hours)
type AssetRow = (
    &'static str,
    AssetKind,
    &'static str,
    usize,
    &'static str,
    &'static str,
    i64,
    AssetStatus,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

const ASSETS: &[AssetRow] = &[
    (
        "GN-VF-01",
        AssetKind::Boat,
        "GN",
        3,
        "Vedette fluviale",
        "Patrouille 9 m",
        2025,
        AssetStatus::Disponible,
        None,
        Some(212.0),
        None,
    ),
    (
        "GN-VF-02",
        AssetKind::Boat,
        "GN",
        3,
        "Vedette fluviale",
        "Patrouille 9 m",
        2025,
        AssetStatus::Disponible,
        None,
        Some(187.0),
        None,
    ),
    (
        "GN-VF-03",
        AssetKind::Boat,
        "GN",
        3,
        "Vedette fluviale",
        "Patrouille 9 m",
        2025,
        AssetStatus::EnMaintenance,
        None,
        Some(301.0),
        None,
    ),
    (
        "GN-VF-04",
        AssetKind::Boat,
        "GN",
        9,
        "Vedette fluviale",
        "Patrouille 9 m",
        2025,
        AssetStatus::Disponible,
        None,
        Some(96.0),
        None,
    ),
    (
        "GN-VF-05",
        AssetKind::Boat,
        "GN",
        12,
        "Vedette fluviale",
        "Patrouille 9 m",
        2025,
        AssetStatus::Disponible,
        None,
        Some(143.0),
        None,
    ),
    (
        "GN-VF-06",
        AssetKind::Boat,
        "GN",
        11,
        "Vedette fluviale",
        "Patrouille 9 m",
        2025,
        AssetStatus::EnMission,
        None,
        Some(120.0),
        None,
    ),
    (
        "PC-AMB-01",
        AssetKind::Ambulance,
        "PC",
        15,
        "Toyota",
        "Land Cruiser 78 ambulance",
        2025,
        AssetStatus::Disponible,
        Some(8_450.0),
        None,
        None,
    ),
    (
        "PC-AMB-02",
        AssetKind::Ambulance,
        "PC",
        16,
        "Toyota",
        "Land Cruiser 78 ambulance",
        2025,
        AssetStatus::Disponible,
        Some(5_120.0),
        None,
        None,
    ),
    (
        "TZ-PSC",
        AssetKind::Aircraft,
        "GN",
        0,
        "Cessna",
        "208 Caravan",
        2025,
        AssetStatus::Disponible,
        None,
        None,
        Some(146.5),
    ),
    (
        "GN-4521-MD",
        AssetKind::Vehicle,
        "GN",
        2,
        "Toyota",
        "Land Cruiser 79 pick-up",
        2023,
        AssetStatus::Disponible,
        Some(61_200.0),
        None,
        None,
    ),
    (
        "GN-4522-MD",
        AssetKind::Vehicle,
        "GN",
        4,
        "Toyota",
        "Land Cruiser 79 pick-up",
        2023,
        AssetStatus::EnMission,
        Some(74_950.0),
        None,
        None,
    ),
    (
        "GN-4523-MD",
        AssetKind::Vehicle,
        "GN",
        5,
        "Toyota",
        "Land Cruiser 79 pick-up",
        2023,
        AssetStatus::Disponible,
        Some(58_400.0),
        None,
        None,
    ),
    (
        "GN-4524-MD",
        AssetKind::Vehicle,
        "GN",
        6,
        "Toyota",
        "Land Cruiser 79 pick-up",
        2024,
        AssetStatus::Disponible,
        Some(39_800.0),
        None,
        None,
    ),
    (
        "GN-4525-MD",
        AssetKind::Vehicle,
        "GN",
        7,
        "Toyota",
        "Land Cruiser 79 pick-up",
        2024,
        AssetStatus::EnMaintenance,
        Some(44_100.0),
        None,
        None,
    ),
    (
        "GN-4526-MD",
        AssetKind::Vehicle,
        "GN",
        8,
        "Toyota",
        "Land Cruiser 79 pick-up",
        2024,
        AssetStatus::Disponible,
        Some(36_700.0),
        None,
        None,
    ),
    (
        "GN-4527-MD",
        AssetKind::Vehicle,
        "GN",
        9,
        "Toyota",
        "Hilux",
        2022,
        AssetStatus::Disponible,
        Some(88_300.0),
        None,
        None,
    ),
    (
        "GN-4528-MD",
        AssetKind::Vehicle,
        "GN",
        10,
        "Toyota",
        "Hilux",
        2021,
        AssetStatus::HorsService,
        Some(143_900.0),
        None,
        None,
    ),
    (
        "GN-4529-MD",
        AssetKind::Vehicle,
        "GN",
        11,
        "Toyota",
        "Hilux",
        2022,
        AssetStatus::Disponible,
        Some(71_000.0),
        None,
        None,
    ),
    (
        "GN-4530-MD",
        AssetKind::Vehicle,
        "GN",
        12,
        "Toyota",
        "Hilux",
        2022,
        AssetStatus::Disponible,
        Some(69_500.0),
        None,
        None,
    ),
    (
        "GDN-0112-MD",
        AssetKind::Vehicle,
        "GDN",
        13,
        "Toyota",
        "Land Cruiser 79 pick-up",
        2023,
        AssetStatus::Disponible,
        Some(52_300.0),
        None,
        None,
    ),
    (
        "PC-0205-MD",
        AssetKind::Vehicle,
        "PC",
        15,
        "Toyota",
        "Hilux",
        2024,
        AssetStatus::Disponible,
        Some(21_900.0),
        None,
        None,
    ),
    (
        "DN-0301-MD",
        AssetKind::Vehicle,
        "DN",
        18,
        "Toyota",
        "Hilux",
        2023,
        AssetStatus::Disponible,
        Some(47_600.0),
        None,
        None,
    ),
    (
        "DN-0302-MD",
        AssetKind::Vehicle,
        "DN",
        19,
        "Toyota",
        "Hilux",
        2023,
        AssetStatus::Disponible,
        Some(50_200.0),
        None,
        None,
    ),
    (
        "GN-M-101",
        AssetKind::Motorbike,
        "GN",
        7,
        "Yamaha",
        "AG 200",
        2024,
        AssetStatus::Disponible,
        Some(12_400.0),
        None,
        None,
    ),
    (
        "GN-M-102",
        AssetKind::Motorbike,
        "GN",
        8,
        "Yamaha",
        "AG 200",
        2024,
        AssetStatus::Disponible,
        Some(9_800.0),
        None,
        None,
    ),
    (
        "GN-GE-01",
        AssetKind::Generator,
        "GN",
        7,
        "SDMO",
        "Groupe électrogène 20 kVA",
        2024,
        AssetStatus::Disponible,
        None,
        Some(3_150.0),
        None,
    ),
    (
        "GN-GE-02",
        AssetKind::Generator,
        "GN",
        8,
        "SDMO",
        "Groupe électrogène 20 kVA",
        2024,
        AssetStatus::EnMaintenance,
        None,
        Some(4_020.0),
        None,
    ),
    (
        "DN-GE-01",
        AssetKind::Generator,
        "DN",
        19,
        "SDMO",
        "Groupe électrogène 10 kVA",
        2023,
        AssetStatus::Disponible,
        None,
        Some(2_480.0),
        None,
    ),
    (
        "GN-GE-03",
        AssetKind::Generator,
        "GN",
        21,
        "SDMO",
        "Groupe électrogène 60 kVA",
        2025,
        AssetStatus::Disponible,
        None,
        Some(610.0),
        None,
    ),
    (
        "GN-RD-01",
        AssetKind::Radio,
        "GN",
        6,
        "Codan",
        "Envoy HF",
        2025,
        AssetStatus::Disponible,
        None,
        None,
        None,
    ),
    (
        "GN-RD-02",
        AssetKind::Radio,
        "GN",
        7,
        "Codan",
        "Envoy HF",
        2025,
        AssetStatus::Disponible,
        None,
        None,
        None,
    ),
    (
        "GN-RD-03",
        AssetKind::Radio,
        "GN",
        8,
        "Codan",
        "Envoy HF",
        2025,
        AssetStatus::Disponible,
        None,
        None,
        None,
    ),
];

/// (name, kind, unit index, locality, explicit coordinates, status)
type SiteRow = (
    &'static str,
    SiteKind,
    usize,
    &'static str,
    Option<(f64, f64)>,
    SiteStatus,
);

const SITES: &[SiteRow] = &[
    (
        "Caserne de la Légion de gendarmerie (Sévaré)",
        SiteKind::Caserne,
        0,
        SEVARE,
        None,
        SiteStatus::Operationnel,
    ),
    (
        "Hangar de l'aéroport de Mopti-Ambodédjo",
        SiteKind::Hangar,
        0,
        SEVARE,
        Some((14.51280, -4.07956)),
        SiteStatus::Operationnel,
    ),
    (
        "Caserne de la brigade fluviale (Komoguel 2)",
        SiteKind::Caserne,
        3,
        KOMOGUEL,
        None,
        SiteStatus::Degrade,
    ),
    (
        "Atelier inter-services de Sévaré",
        SiteKind::Atelier,
        21,
        SEVARE,
        None,
        SiteStatus::Operationnel,
    ),
    (
        "Poste frontière de Koro (RN15)",
        SiteKind::Poste,
        7,
        KORO,
        None,
        SiteStatus::Operationnel,
    ),
    (
        "Poste frontière de Ouenkoro",
        SiteKind::Poste,
        8,
        OUONKORO,
        None,
        SiteStatus::EnTravaux,
    ),
    (
        "Caserne du centre de secours de Mopti",
        SiteKind::Caserne,
        15,
        SEVARE,
        None,
        SiteStatus::Operationnel,
    ),
];

fn place(state: &AppState, locality: &str, coords: Option<(f64, f64)>) -> AppResult<Place> {
    let l = state
        .gazetteer
        .locality(locality)
        .ok_or_else(|| AppError::Internal(format!("demo locality {locality} missing")))?;
    let (lat, lon) = coords.unwrap_or((l.lat, l.lon));
    Ok(Place {
        locality_id: Some(l.id.clone()),
        lat: Some(lat),
        lon: Some(lon),
    })
}

async fn force_id(state: &AppState, code: &str) -> AppResult<String> {
    Ok(sqlx::query_scalar("SELECT id FROM forces WHERE code = ?")
        .bind(code)
        .fetch_one(&state.db)
        .await?)
}

fn unit_at(ids: &[String], i: usize) -> AppResult<String> {
    ids.get(i)
        .cloned()
        .ok_or_else(|| AppError::Internal(format!("demo unit {i} missing")))
}

/// Fills an empty database with the demo data.
pub async fn seed(state: &AppState) -> AppResult<()> {
    let actor = Actor::system("demo");
    let mut unit_ids: Vec<String> = Vec::new();
    for (name, kind, force, parent, locality, call_sign) in UNITS {
        let parent_id = match parent {
            Some(i) => Some(unit_at(&unit_ids, *i)?),
            None => None,
        };
        let input = UnitInput {
            name: name.to_string(),
            kind: *kind,
            force_id: force_id(state, force).await?,
            parent_id,
            place: place(state, locality, None)?,
            call_sign: Some(call_sign.to_string()),
        };
        unit_ids.push(super::create_unit(state, &actor, input).await?);
    }
    for (reg, kind, force, unit, make, model, year, status, km, hours, flight) in ASSETS {
        let input = AssetInput {
            kind: *kind,
            force_id: force_id(state, force).await?,
            unit_id: unit_at(&unit_ids, *unit)?,
            registration: reg.to_string(),
            make: make.to_string(),
            model: model.to_string(),
            year: Some(*year),
            status: *status,
            odometer_km: *km,
            engine_hours: *hours,
            flight_hours: *flight,
            notes: String::new(),
        };
        super::create_asset(state, &actor, input).await?;
    }
    for (name, kind, unit, locality, coords, status) in SITES {
        let input = SiteInput {
            name: name.to_string(),
            kind: *kind,
            unit_id: unit_at(&unit_ids, *unit)?,
            place: place(state, locality, *coords)?,
            status: *status,
            notes: String::new(),
        };
        super::create_site(state, &actor, input).await?;
    }
    for (login, name, role, unit) in ACCOUNTS {
        let unit_id = match unit {
            Some(i) => Some(unit_at(&unit_ids, *i)?),
            None => None,
        };
        let new = NewUser {
            login: Login::parse(login)?,
            display_name: name.to_string(),
            role: *role,
            unit_id,
        };
        accounts::create_user(state, &actor, new, &NewPassword::demo()).await?;
    }
    seed_watchlist(state, &actor).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    crate::db::set_meta(&mut tx, "demo", &crate::db::now_text()).await?;
    crate::audit::append(&mut tx, &actor, "init", "node", "-", "demo").await?;
    tx.commit().await?;
    Ok(())
}

/// A fictitious watchlist, so that the name check of the demo has something to find. Every
/// name and date in it is invented for the demo. DEMO-020 and DEMO-021 carry the alias kinds
/// of real lists: a nickname after `dit`, a kunya, a patronymic chain, a nisba (`Hamidou
/// Kolado`, `Aboul Kolado`, `Sidi Mohamed Ould Bouya`, `Sidi Ettinbukti` find them).
const DEMO_WATCHLIST: &str = "id,full_name,birth_date,nationality,aliases,reason,instruction
DEMO-001,Amadou Ould Sidi Mahmoud,1978-04-12,MR,Ahmadou Ould Sidi;أحمدو ولد سيدي,Fiche fictive de démonstration,arreter
DEMO-002,Boubacar Ag Intalla,1981-09-30,ML,Abubakar Ag Intalla,Fiche fictive de démonstration,arreter
DEMO-003,Fatoumata Djiré,1990-01-15,ML,Fatimata Jire,Fiche fictive de démonstration,signaler
DEMO-004,Ousmane Sawadogo,1975,BF,Usman Sawadogo,Fiche fictive de démonstration,laisser_passer_signaler
DEMO-005,Moussa Cissé,1969-07-07,ML,Musa Sisse,Fiche fictive de démonstration,signaler
DEMO-006,Aïssata Maïga,1987-11-02,NE,Aicha Maiga,Fiche fictive de démonstration,signaler
DEMO-007,Idrissa Ouédraogo,1972-03-21,BF,Idris Wedraogo,Fiche fictive de démonstration,arreter
DEMO-008,Hamadoun Dicko,1983-06-18,ML,Amadou Dicko,Fiche fictive de démonstration,signaler
DEMO-020,Hamidou Barry dit Kolado,,ML,Abou Kolado,Fiche fictive de démonstration,signaler
DEMO-021,Sidi Mohamed Ould Ahmed Ould Bouya,1979,MR,Sidi al-Tinbukti,Fiche fictive de démonstration,signaler
";

async fn seed_watchlist(state: &AppState, actor: &Actor) -> AppResult<()> {
    let mut progress = |_| {};
    let parsed = crate::screening::import::csv(DEMO_WATCHLIST.as_bytes(), &mut progress)
        .map_err(AppError::Internal)?;
    let meta = crate::screening::ListMeta {
        name: "Liste de démonstration (fictive)".into(),
        authority: "parsec (démonstration)".into(),
        version: "1".into(),
        valid_from: None,
        valid_to: None,
        format: "csv",
    };
    crate::screening::import_list(state, actor, &meta, parsed, false).await?;
    Ok(())
}
