//! The registry's vocabulary: kinds and statuses as closed lists with stable codes (stored and
//! sent over the API) and catalogue keys (shown to users).

/// A closed list of codes: `code()` is what is stored and sent, `label_key()` what is shown.
pub trait Coded: Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label_key(self) -> &'static str;

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == s.trim())
    }
}

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, [$($variant:ident = $code:literal),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl Coded for $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];

            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, "-", $code)),+ }
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// What a unit is; matches the CHECK constraint of `units.kind`.
    UnitKind, "unit-kind", [
    Brigade = "brigade",
    Peloton = "peloton",
    Escadron = "escadron",
    Compagnie = "compagnie",
    CentreSecours = "centre_secours",
    PosteFrontiere = "poste_frontiere",
    Atelier = "atelier",
    EtatMajor = "etat_major",
]);

code_enum!(
    /// What an asset is; matches `assets.kind`.
    AssetKind, "asset-kind", [
    Vehicle = "vehicle",
    Motorbike = "motorbike",
    Boat = "boat",
    Ambulance = "ambulance",
    Aircraft = "aircraft",
    Generator = "generator",
    Radio = "radio",
]);

code_enum!(
    /// Whether an asset can be sent; matches `assets.status`.
    AssetStatus, "asset-status", [
    Disponible = "disponible",
    EnMission = "en_mission",
    EnMaintenance = "en_maintenance",
    HorsService = "hors_service",
]);

code_enum!(
    /// What an infrastructure site is; matches `sites.kind`.
    SiteKind, "site-kind", [
    Caserne = "caserne",
    Atelier = "atelier",
    Hangar = "hangar",
    Poste = "poste",
]);

code_enum!(
    /// The state of an infrastructure site; matches `sites.status`.
    SiteStatus, "site-status", [
    Operationnel = "operationnel",
    Degrade = "degrade",
    EnTravaux = "en_travaux",
    HorsService = "hors_service",
]);

/// Every catalogue key the registry's lists use, for the tidy test.
pub fn label_keys() -> Vec<&'static str> {
    let mut keys = Vec::new();
    keys.extend(UnitKind::ALL.iter().map(|k| k.label_key()));
    keys.extend(AssetKind::ALL.iter().map(|k| k.label_key()));
    keys.extend(AssetStatus::ALL.iter().map(|k| k.label_key()));
    keys.extend(SiteKind::ALL.iter().map(|k| k.label_key()));
    keys.extend(SiteStatus::ALL.iter().map(|k| k.label_key()));
    keys
}
