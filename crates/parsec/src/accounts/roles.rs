//! Roles and their permissions: the one table that says who may do what. Unit scope (which
//! records a role sees) is decided here too.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Operations,
    Commandant,
    Agent,
    Atelier,
    Inspecteur,
    Programme,
}

pub const ALL_ROLES: [Role; 7] = [
    Role::Admin,
    Role::Operations,
    Role::Commandant,
    Role::Agent,
    Role::Atelier,
    Role::Inspecteur,
    Role::Programme,
];

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.into_iter().find(|r| r.code() == s.trim())
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operations => "operations",
            Role::Commandant => "commandant",
            Role::Agent => "agent",
            Role::Atelier => "atelier",
            Role::Inspecteur => "inspecteur",
            Role::Programme => "programme",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role-admin",
            Role::Operations => "role-operations",
            Role::Commandant => "role-commandant",
            Role::Agent => "role-agent",
            Role::Atelier => "role-atelier",
            Role::Inspecteur => "role-inspecteur",
            Role::Programme => "role-programme",
        }
    }

    /// Agents and commandants see their own unit and the units below it; the other roles work
    /// for the whole region.
    pub fn is_unit_scoped(self) -> bool {
        matches!(self, Role::Agent | Role::Commandant)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Geography, forces, units, assets and sites, within the role's scope.
    ViewRegistry,
    /// Create and edit units and infrastructure sites.
    EditUnits,
    /// Create and edit assets (vehicles, boats, aircraft …) and their meters; run the
    /// workshop: work orders, plans, parts and stock.
    EditAssets,
    /// See the workshop's board, work orders, plans, stock and the fleet's availability
    /// (read-only; within the role's scope).
    ViewWorkshop,
    /// Record fuel issued to an asset of the own scope.
    IssueFuel,
    /// See the custodies of the own scope (garde à vue) and print their register.
    ViewCustody,
    /// Open a custody and write what happens during it (the unit's officers).
    RecordCustody,
    /// Set the legal limits of custody and their references.
    SetCustodyRules,
    /// Create, edit and disable user accounts.
    ManageUsers,
    /// Browse the audit log and check the chain.
    ViewAudit,
    /// Screen a name against the active watchlists.
    Screen,
    /// Confirm or dismiss the screening hits of the own unit and below (region-wide users: all).
    ReviewHits,
    /// See the watchlists and their versions.
    ViewLists,
    /// Import a new version of a watchlist.
    ManageLists,
    /// Register crossings at the own post.
    RecordCrossings,
    /// Read a crossing of the own scope (the agent, the one just registered).
    ViewCrossings,
    /// Search, list and export the crossings of the own scope.
    ListCrossings,
    /// See the crossings of the own scope today (a post's agents: their own and their
    /// colleagues') and find a crossing by its exact document number; less than listing.
    FindCrossings,
    /// See the flow statistics (no personal data).
    ViewFlows,
    /// Choose alerts to share with the partner service across the border.
    ShareAlerts,
    /// See the incidents of the own scope.
    ViewIncidents,
    /// Report incidents and change their status.
    ReportIncidents,
    /// Send units and assets to incidents and follow the responses.
    Dispatch,
    /// See the nodes of the region (this node, the posts or the regional node, their last
    /// contact and errors) and the conflicts kept by the synchronisation.
    ViewNodes,
    /// Resolve a conflict kept by the synchronisation: keep the value in place or take the one
    /// set aside.
    ResolveConflicts,
    /// See the programme's budget, activities, deliveries, partners, needs and its indicators
    /// (aggregates of the operational data, never a person's).
    ViewProgramme,
    /// Keep the programme's own records: budget, activities, deliveries, partners, needs,
    /// the indicators' baselines and targets.
    EditProgramme,
}

use Permission::*;

/// The permission table. Every role also manages its own account (password, language, tokens).
const PERMISSIONS: &[(Role, &[Permission])] = &[
    (
        Role::Admin,
        &[
            ViewRegistry,
            EditUnits,
            EditAssets,
            ViewWorkshop,
            IssueFuel,
            SetCustodyRules,
            ManageUsers,
            ViewLists,
            ManageLists,
            ViewNodes,
            ViewProgramme,
            EditProgramme,
        ],
    ),
    // The regional operations centre reviews the hits of its own (unit-less) searches.
    (
        Role::Operations,
        &[
            ViewProgramme,
            ViewRegistry,
            Screen,
            ReviewHits,
            ViewCrossings,
            ListCrossings,
            FindCrossings,
            ViewFlows,
            ViewIncidents,
            ReportIncidents,
            Dispatch,
            ViewNodes,
            ResolveConflicts,
            ViewWorkshop,
            ViewCustody,
        ],
    ),
    (
        Role::Commandant,
        &[
            ViewRegistry,
            Screen,
            ReviewHits,
            RecordCrossings,
            ViewCrossings,
            ListCrossings,
            FindCrossings,
            ViewFlows,
            ShareAlerts,
            ViewIncidents,
            ReportIncidents,
            Dispatch,
            ViewNodes,
            ResolveConflicts,
            ViewWorkshop,
            IssueFuel,
            ViewCustody,
            RecordCustody,
        ],
    ),
    (
        Role::Agent,
        &[
            ViewRegistry,
            Screen,
            RecordCrossings,
            ViewCrossings,
            FindCrossings,
            ViewFlows,
            ViewIncidents,
            ReportIncidents,
            ViewCustody,
            RecordCustody,
        ],
    ),
    (
        Role::Atelier,
        &[ViewRegistry, EditAssets, ViewWorkshop, IssueFuel],
    ),
    (
        Role::Inspecteur,
        &[
            ViewRegistry,
            ViewAudit,
            ViewLists,
            ViewCrossings,
            ListCrossings,
            FindCrossings,
            ViewFlows,
            ViewIncidents,
            ViewCustody,
        ],
    ),
    (
        Role::Programme,
        &[
            ViewRegistry,
            ViewFlows,
            ViewIncidents,
            ViewWorkshop,
            ViewProgramme,
            EditProgramme,
        ],
    ),
];

pub fn allows(role: Role, permission: Permission) -> bool {
    PERMISSIONS
        .iter()
        .any(|(r, perms)| *r == role && perms.contains(&permission))
}
