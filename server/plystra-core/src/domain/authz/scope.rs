//! Whether one candidate's scope reaches the target (the scope table of docs/behaviour.md §10.3).
//!
//! Rules and most reasons are fixed strings; only the group reasons name the two paths and the
//! unknown-scope reason names the scope, so those are the only ones that allocate.

use std::borrow::Cow;

use super::code::DenyCode;
use super::model::{Group, Member, Target};

/// A permission scope the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `self`: resources the acting member owns.
    Owner,
    /// `group`: resources in exactly the anchor group.
    Group,
    /// `group_tree`: resources in the anchor group or any group below it.
    GroupTree,
    /// `space`: resources in the actor's space.
    Space,
    /// `global`: reserved; never covers.
    Global,
}

impl Scope {
    /// Every known scope.
    pub const ALL: [Scope; 5] = [
        Scope::Owner,
        Scope::Group,
        Scope::GroupTree,
        Scope::Space,
        Scope::Global,
    ];

    /// The scope with this exact spelling.
    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Owner => "self",
            Scope::Group => "group",
            Scope::GroupTree => "group_tree",
            Scope::Space => "space",
            Scope::Global => "global",
        }
    }
}

/// The outcome of one candidate's scope rule (`scope_check` in the trace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeCheck<'a> {
    /// Whether the candidate reaches the target.
    pub covered: bool,
    /// The rule that was applied.
    pub rule: &'static str,
    /// Why it did or did not cover.
    pub reason: Cow<'a, str>,
    /// Set exactly when not covered.
    pub deny_code: Option<DenyCode>,
}

const SELF_RULE: &str = "resource.owner_member_id == actor.member_id";
const GROUP_RULE: &str = "target_group_id = scope_anchor_group_id";
const GROUP_TREE_RULE: &str = "target_path = anchor_path OR target_path LIKE anchor_path || '.%'";
const SPACE_RULE: &str = "resource.space_id == actor.space_id";
const GLOBAL_RULE: &str = "global scope disabled for ordinary Members";
const UNKNOWN_RULE: &str = "known permission scope";
const ANCHOR_RULE: &str = "scope_anchor_group_id is required";
const TARGET_GROUP_RULE: &str = "target resource must have group_id";

impl<'a> ScopeCheck<'a> {
    fn covered(rule: &'static str, reason: impl Into<Cow<'a, str>>) -> Self {
        ScopeCheck {
            covered: true,
            rule,
            reason: reason.into(),
            deny_code: None,
        }
    }

    fn denied(rule: &'static str, reason: impl Into<Cow<'a, str>>, code: DenyCode) -> Self {
        ScopeCheck {
            covered: false,
            rule,
            reason: reason.into(),
            deny_code: Some(code),
        }
    }

    fn out_of_bounds(rule: &'static str, reason: impl Into<Cow<'a, str>>) -> Self {
        Self::denied(rule, reason, DenyCode::ScopeOutOfBounds)
    }
}

/// `group_tree` coverage: the target is the anchor itself or lies below it. Only a whole path
/// segment counts, so `finance` reaches `finance.apac` but not `financeops` or `finance-old`.
pub fn group_tree_covers(anchor_path: &str, target_path: &str) -> bool {
    match target_path.strip_prefix(anchor_path) {
        Some(rest) => rest.is_empty() || rest.starts_with('.'),
        None => false,
    }
}

/// Applies `scope` for the acting `member` to `target`, with the candidate's anchor group.
pub fn check_scope<'a>(
    scope: &'a str,
    member: &Member,
    target: &'a Target,
    anchor: Option<&'a Group>,
) -> ScopeCheck<'a> {
    let Some(known) = Scope::parse(scope) else {
        return ScopeCheck::out_of_bounds(UNKNOWN_RULE, format!("unsupported scope {scope:?}."));
    };
    match known {
        Scope::Owner => {
            if target.resource.owner_member_id == member.id {
                ScopeCheck::covered(
                    SELF_RULE,
                    "target resource is owned by the active Member identity.",
                )
            } else {
                ScopeCheck::out_of_bounds(
                    SELF_RULE,
                    "target resource is not owned by the active Member identity.",
                )
            }
        }
        Scope::Group | Scope::GroupTree => {
            let Some(anchor) = anchor else {
                return ScopeCheck::denied(
                    ANCHOR_RULE,
                    "permission grant is missing a scope anchor group.",
                    DenyCode::ScopeAnchorMissing,
                );
            };
            let Some(group) = target.group.as_ref() else {
                return ScopeCheck::denied(
                    TARGET_GROUP_RULE,
                    "target resource is missing a group.",
                    DenyCode::TargetGroupMissing,
                );
            };
            let (target_path, anchor_path) = (&group.path, &anchor.path);
            if known == Scope::Group {
                if group.id == anchor.id {
                    ScopeCheck::covered(
                        GROUP_RULE,
                        format!("target group {target_path} matches anchor group {anchor_path}."),
                    )
                } else {
                    ScopeCheck::out_of_bounds(
                        GROUP_RULE,
                        format!(
                            "target group {target_path} does not match anchor group {anchor_path}."
                        ),
                    )
                }
            } else if group_tree_covers(anchor_path, target_path) {
                ScopeCheck::covered(
                    GROUP_TREE_RULE,
                    format!("target group {target_path} is inside anchor group {anchor_path}."),
                )
            } else {
                ScopeCheck::out_of_bounds(
                    GROUP_TREE_RULE,
                    format!("target group {target_path} is outside anchor group {anchor_path}."),
                )
            }
        }
        Scope::Space => {
            if target.resource.space_id == member.space_id {
                ScopeCheck::covered(SPACE_RULE, "target resource belongs to the active Space.")
            } else {
                ScopeCheck::out_of_bounds(
                    SPACE_RULE,
                    "target resource does not belong to the active Space.",
                )
            }
        }
        Scope::Global => ScopeCheck::denied(
            GLOBAL_RULE,
            "global scope is reserved and disabled in v1.0.",
            DenyCode::GlobalScopeDisabled,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::authz::model::Resource;

    fn member() -> Member {
        Member {
            id: "member_finance_reviewer".into(),
            space_id: "space_acme".into(),
            ..Member::default()
        }
    }

    fn group(id: &str, path: &str) -> Group {
        Group {
            id: id.into(),
            space_id: "space_acme".into(),
            path: path.into(),
            status: "active".into(),
        }
    }

    fn target(owner: &str, space: &str, group: Option<Group>) -> Target {
        Target {
            resource: Resource {
                id: "invoice_001".into(),
                resource_type: "invoice".into(),
                space_id: space.into(),
                owner_member_id: owner.into(),
                ..Resource::default()
            },
            group,
        }
    }

    fn expect(check: &ScopeCheck<'_>, covered: bool, rule: &str, reason: &str) {
        assert_eq!(check.covered, covered, "{check:?}");
        assert_eq!(check.rule, rule);
        assert_eq!(check.reason, reason);
        assert_eq!(check.deny_code.is_none(), covered);
    }

    #[test]
    fn scope_names_round_trip() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("Self"), None);
        assert_eq!(Scope::parse(" group"), None);
    }

    #[test]
    fn group_tree_needs_a_whole_segment() {
        assert!(group_tree_covers("finance", "finance"));
        assert!(group_tree_covers("finance", "finance.apac"));
        assert!(group_tree_covers("finance", "finance.apac.sg"));
        assert!(group_tree_covers("finance.apac", "finance.apac.sg"));
        assert!(!group_tree_covers("finance", "financeops"));
        assert!(!group_tree_covers("finance", "finance-old"));
        assert!(!group_tree_covers("finance", "fin"));
        assert!(!group_tree_covers("finance.apac", "finance"));
        assert!(!group_tree_covers("finance", "legal.finance"));
    }

    #[test]
    fn self_scope_compares_the_owner_with_the_actor_member() {
        let owned = target("member_finance_reviewer", "space_acme", None);
        let other = target("member_invoice_creator", "space_acme", None);
        expect(
            &check_scope("self", &member(), &owned, None),
            true,
            SELF_RULE,
            "target resource is owned by the active Member identity.",
        );
        let check = check_scope("self", &member(), &other, None);
        expect(
            &check,
            false,
            SELF_RULE,
            "target resource is not owned by the active Member identity.",
        );
        assert_eq!(check.deny_code, Some(DenyCode::ScopeOutOfBounds));
    }

    #[test]
    fn group_scope_needs_the_same_group_id() {
        let finance = group("group_finance", "finance");
        let in_finance = target("x", "space_acme", Some(finance.clone()));
        let in_apac = target(
            "x",
            "space_acme",
            Some(group("group_finance_apac", "finance.apac")),
        );
        expect(
            &check_scope("group", &member(), &in_finance, Some(&finance)),
            true,
            GROUP_RULE,
            "target group finance matches anchor group finance.",
        );
        let check = check_scope("group", &member(), &in_apac, Some(&finance));
        expect(
            &check,
            false,
            GROUP_RULE,
            "target group finance.apac does not match anchor group finance.",
        );
        assert_eq!(check.deny_code, Some(DenyCode::ScopeOutOfBounds));
    }

    #[test]
    fn group_tree_scope_reasons_name_both_paths() {
        let finance = group("group_finance", "finance");
        let apac = target(
            "x",
            "space_acme",
            Some(group("group_finance_apac", "finance.apac")),
        );
        let legal = target(
            "x",
            "space_acme",
            Some(group("group_legal_emea", "legal.emea")),
        );
        expect(
            &check_scope("group_tree", &member(), &apac, Some(&finance)),
            true,
            GROUP_TREE_RULE,
            "target group finance.apac is inside anchor group finance.",
        );
        let check = check_scope("group_tree", &member(), &legal, Some(&finance));
        expect(
            &check,
            false,
            GROUP_TREE_RULE,
            "target group legal.emea is outside anchor group finance.",
        );
        assert_eq!(check.deny_code, Some(DenyCode::ScopeOutOfBounds));
    }

    #[test]
    fn group_scopes_report_a_missing_anchor_before_a_missing_target_group() {
        let no_group = target("x", "space_acme", None);
        let finance = group("group_finance", "finance");
        for scope in ["group", "group_tree"] {
            let check = check_scope(scope, &member(), &no_group, None);
            expect(
                &check,
                false,
                ANCHOR_RULE,
                "permission grant is missing a scope anchor group.",
            );
            assert_eq!(check.deny_code, Some(DenyCode::ScopeAnchorMissing));
            let check = check_scope(scope, &member(), &no_group, Some(&finance));
            expect(
                &check,
                false,
                TARGET_GROUP_RULE,
                "target resource is missing a group.",
            );
            assert_eq!(check.deny_code, Some(DenyCode::TargetGroupMissing));
        }
    }

    #[test]
    fn space_scope_compares_with_the_member_space() {
        let here = target("x", "space_acme", None);
        let there = target("x", "space_other", None);
        expect(
            &check_scope("space", &member(), &here, None),
            true,
            SPACE_RULE,
            "target resource belongs to the active Space.",
        );
        let check = check_scope("space", &member(), &there, None);
        expect(
            &check,
            false,
            SPACE_RULE,
            "target resource does not belong to the active Space.",
        );
        assert_eq!(check.deny_code, Some(DenyCode::ScopeOutOfBounds));
    }

    #[test]
    fn global_never_covers_and_unknown_scopes_are_out_of_bounds() {
        let finance = group("group_finance", "finance");
        let owned = target(
            "member_finance_reviewer",
            "space_acme",
            Some(finance.clone()),
        );
        let check = check_scope("global", &member(), &owned, Some(&finance));
        expect(
            &check,
            false,
            GLOBAL_RULE,
            "global scope is reserved and disabled in v1.0.",
        );
        assert_eq!(check.deny_code, Some(DenyCode::GlobalScopeDisabled));
        let check = check_scope("planet", &member(), &owned, Some(&finance));
        expect(&check, false, UNKNOWN_RULE, "unsupported scope \"planet\".");
        assert_eq!(check.deny_code, Some(DenyCode::ScopeOutOfBounds));
    }

    #[test]
    fn fixed_reasons_do_not_allocate() {
        let owned = target("member_finance_reviewer", "space_acme", None);
        assert!(matches!(
            check_scope("self", &member(), &owned, None).reason,
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            check_scope("global", &member(), &owned, None).reason,
            Cow::Borrowed(_)
        ));
    }
}
