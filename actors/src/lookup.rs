//! Finding an actor by its registered name, tolerating the short window in which a
//! supervisor is restarting it. Handles use this on every call instead of holding an
//! `ActorRef`, so they keep working across restarts.

use std::time::Duration;

use ractor::{ActorRef, Message};
use tokio::time::Instant;

/// Interval between lookups while the name is not registered.
const LOOKUP_POLL: Duration = Duration::from_millis(10);

/// The actor registered as `name` with message type `M`, waiting up to `patience` for it
/// to (re)appear. `None` if it does not, or if the name belongs to another actor type.
pub(crate) async fn find<M: Message>(name: &str, patience: Duration) -> Option<ActorRef<M>> {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(cell) = ractor::registry::where_is(name) {
            if cell.is_message_type_of::<M>() == Some(true) {
                return Some(cell.into());
            }
            return None;
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(LOOKUP_POLL).await;
    }
}

/// Like [`find`] without waiting (chaos, status).
pub(crate) fn find_now<M: Message>(name: &str) -> Option<ActorRef<M>> {
    let cell = ractor::registry::where_is(name)?;
    (cell.is_message_type_of::<M>() == Some(true)).then(|| cell.into())
}
