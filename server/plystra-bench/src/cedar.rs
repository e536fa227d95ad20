//! The same decisions in Cedar, for the engine bench's comparison (`cedar` feature).
//!
//! The model is ordinary Cedar RBAC over an entity hierarchy:
//!
//! - the member is a `Member` whose parent is `Role::"finance_approver"`; the role assignment's
//!   anchor is the member's `approver_anchor` attribute;
//! - groups are `Group` entities whose parent is the group above them (`finance.apac` in
//!   `finance`), so Cedar's transitive `in` plays the part of our `group_tree` path rule;
//! - the invoice is an `Invoice` whose parent is its group.
//!
//! The policy checks what our engine checks for these cases: the user, member, binding and
//! space are active, the invoice is in the member's space, and the invoice lies in the anchor's
//! tree. [`CedarCase::check`] must give the fixture's answer before anything is timed.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};

use crate::fixtures::{
    ANCHOR_PATH, Case, INVOICE_OWNER, MEMBER, ROLE, SPACE, group_chain, group_id,
};

/// The one policy: `finance_approver` may approve invoices in its anchor's group tree.
pub const POLICY: &str = r#"
permit (
    principal in Role::"finance_approver",
    action == Action::"approve",
    resource is Invoice
)
when {
    principal.user_status == "active" &&
    principal.status == "active" &&
    principal.binding_status == "active" &&
    principal.space.status == "active" &&
    resource.space == principal.space &&
    resource in principal.approver_anchor
};
"#;

/// Why the Cedar side could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CedarError {
    /// Cedar rejected a policy, entity, type name or request we built.
    #[error("cedar rejected the {what}")]
    Rejected {
        /// What was being built.
        what: &'static str,
        /// Cedar's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn rejected<E: std::error::Error + Send + Sync + 'static>(
    what: &'static str,
) -> impl FnOnce(E) -> CedarError {
    move |source| CedarError::Rejected {
        what,
        source: Box::new(source),
    }
}

/// The parsed policy set, the authorizer and the entity type names: everything that does not
/// depend on the question, built once.
pub struct CedarModel {
    authorizer: Authorizer,
    policies: PolicySet,
    member: EntityTypeName,
    role: EntityTypeName,
    group: EntityTypeName,
    space: EntityTypeName,
    invoice: EntityTypeName,
    approve: EntityUid,
}

/// One question in Cedar's terms: the request and the entities it is decided over.
pub struct CedarCase {
    /// Principal, action, resource, empty context.
    pub request: Request,
    /// The member, its role, the space, the groups and the invoice.
    pub entities: Entities,
}

impl CedarModel {
    /// Parses [`POLICY`] and the type names.
    pub fn new() -> Result<CedarModel, CedarError> {
        let name = |text: &str| EntityTypeName::from_str(text).map_err(rejected("type name"));
        let action = name("Action")?;
        Ok(CedarModel {
            authorizer: Authorizer::new(),
            policies: PolicySet::from_str(POLICY).map_err(rejected("policy"))?,
            member: name("Member")?,
            role: name("Role")?,
            group: name("Group")?,
            space: name("Space")?,
            invoice: name("Invoice")?,
            approve: EntityUid::from_type_name_and_id(action, EntityId::new("approve")),
        })
    }

    fn uid(&self, ty: &EntityTypeName, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
    }

    /// Builds the request and entities for `case`. The bench times this too, as the Cedar
    /// counterpart of building a Context Mode request.
    pub fn build(&self, case: &Case) -> Result<CedarCase, CedarError> {
        let space = self.uid(&self.space, SPACE);
        let text = |value: &str| RestrictedExpression::new_string(value.to_owned());
        let entity = |uid, attrs: Vec<(&str, RestrictedExpression)>, parents: Vec<EntityUid>| {
            Entity::new(
                uid,
                attrs
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<HashMap<_, _>>(),
                parents.into_iter().collect::<HashSet<_>>(),
            )
            .map_err(rejected("entity"))
        };

        let mut entities = Vec::with_capacity(8);
        entities.push(entity(
            space.clone(),
            vec![("status", text("active"))],
            vec![],
        )?);
        entities.push(Entity::new_no_attrs(
            self.uid(&self.role, ROLE),
            HashSet::new(),
        ));
        let member = self.uid(&self.member, MEMBER);
        entities.push(entity(
            member.clone(),
            vec![
                ("status", text(case.member_status)),
                ("user_status", text("active")),
                ("binding_status", text("active")),
                ("space", RestrictedExpression::new_entity_uid(space.clone())),
                (
                    "approver_anchor",
                    RestrictedExpression::new_entity_uid(
                        self.uid(&self.group, &group_id(ANCHOR_PATH)),
                    ),
                ),
            ],
            vec![self.uid(&self.role, ROLE)],
        )?);

        // The target's group and every group above it; the anchor too when it is elsewhere.
        let mut chain = group_chain(case.group_path);
        if !chain.contains(&ANCHOR_PATH) {
            chain.insert(0, ANCHOR_PATH);
        }
        for path in &chain {
            let parent = path
                .rsplit_once('.')
                .map(|(above, _)| self.uid(&self.group, &group_id(above)));
            entities.push(entity(
                self.uid(&self.group, &group_id(path)),
                vec![("space", RestrictedExpression::new_entity_uid(space.clone()))],
                parent.into_iter().collect(),
            )?);
        }

        let invoice = self.uid(&self.invoice, case.resource_id);
        entities.push(entity(
            invoice.clone(),
            vec![
                ("space", RestrictedExpression::new_entity_uid(space)),
                (
                    "owner",
                    RestrictedExpression::new_entity_uid(self.uid(&self.member, INVOICE_OWNER)),
                ),
            ],
            vec![self.uid(&self.group, &group_id(case.group_path))],
        )?);

        Ok(CedarCase {
            request: Request::new(
                member,
                self.approve.clone(),
                invoice,
                Context::empty(),
                None,
            )
            .map_err(rejected("request"))?,
            entities: Entities::from_entities(entities, None).map_err(rejected("entities"))?,
        })
    }

    /// Whether Cedar allows `case`, prebuilt.
    pub fn is_allowed(&self, case: &CedarCase) -> bool {
        self.authorizer
            .is_authorized(&case.request, &self.policies, &case.entities)
            .decision()
            == Decision::Allow
    }

    /// Policy evaluation errors for `case` (an error makes Cedar skip the policy, which denies;
    /// the agreement check wants none, so a deny is a real deny).
    pub fn errors(&self, case: &CedarCase) -> Vec<String> {
        self.authorizer
            .is_authorized(&case.request, &self.policies, &case.entities)
            .diagnostics()
            .errors()
            .map(ToString::to_string)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::CASES;

    #[test]
    fn cedar_agrees_with_every_fixture_case_without_errors() {
        let model = CedarModel::new().unwrap();
        for case in &CASES {
            let built = model.build(case).unwrap();
            assert_eq!(model.is_allowed(&built), case.allow, "{}", case.name);
            assert_eq!(model.errors(&built), Vec::<String>::new(), "{}", case.name);
        }
    }
}
