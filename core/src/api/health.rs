//! `GET /health`.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::client::{Call, Client};

/// Liveness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`.
    pub status: String,
}

impl Client {
    /// `GET /health` (no authentication needed, but the client sends its key anyway).
    pub async fn health(&self) -> Result<Health> {
        self.transport
            .json(Call::get("/health"), &self.options)
            .await
    }
}
