//! The tags nothing is built for yet. Each keeps the generated default of every method, which
//! answers 501 with the operation's id; `--list-unimplemented` finds them by calling each once.

use authplane_server_api::{admin, public};

use crate::Authplane;

impl public::operations::Connect for Authplane {}
impl public::operations::Connections for Authplane {}
impl public::operations::Consent for Authplane {}
impl public::operations::Login for Authplane {}
impl public::operations::Logout for Authplane {}
impl public::operations::Oauth for Authplane {}
impl public::operations::Oidc for Authplane {}

impl admin::operations::Admin for Authplane {}
impl admin::operations::Metrics for Authplane {}
