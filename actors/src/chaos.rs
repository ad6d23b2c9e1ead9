//! Fault injection for tests (cargo feature `chaos`, off by default: without it this
//! module and every `Panic` message variant do not exist). Makes a named actor panic
//! inside its message handler, which is what a real bug would do.

use ractor::Message;

use crate::Instance;
use crate::audit_writer::AuditWriterMsg;
use crate::config_watcher::ConfigWatcherMsg;
use crate::listener::{ListenerChildMsg, ListenerMsg};
use crate::metrics_collector::MetricsCollectorMsg;
use crate::supervision::supervisor::SupervisorMsg;

/// Makes the actor `short_name` of `instance` (`config_watcher`, `listener_supervisor`,
/// `metrics_collector`, `audit_writer`, `root`, `listener/127.0.0.1:8080`) panic in its handler.
/// Returns false when no such actor is registered or its type is not one of ours.
pub fn panic_actor(instance: &Instance, short_name: &str) -> bool {
    let name = instance.actor_name(short_name);
    let Some(cell) = ractor::registry::where_is(name) else {
        return false;
    };
    if cell.is_message_type_of::<SupervisorMsg>() == Some(true) {
        return cell.send_message(SupervisorMsg::Panic).is_ok();
    }
    if cell.is_message_type_of::<ListenerMsg>() == Some(true) {
        return cell.send_message(ListenerMsg::Panic).is_ok();
    }
    if cell.is_message_type_of::<ListenerChildMsg>() == Some(true) {
        return cell.send_message(ListenerChildMsg::Panic).is_ok();
    }
    if cell.is_message_type_of::<ConfigWatcherMsg>() == Some(true) {
        return cell.send_message(ConfigWatcherMsg::Panic).is_ok();
    }
    if cell.is_message_type_of::<MetricsCollectorMsg>() == Some(true) {
        return cell.send_message(MetricsCollectorMsg::Panic).is_ok();
    }
    if cell.is_message_type_of::<AuditWriterMsg>() == Some(true) {
        return cell.send_message(AuditWriterMsg::Panic).is_ok();
    }
    false
}

/// For actors defined outside this crate (the AuditWriter): sends `msg` (its own
/// panic-inducing variant) to `short_name` if that actor's message type is `M`.
pub fn panic_actor_with<M: Message>(instance: &Instance, short_name: &str, msg: M) -> bool {
    let Some(cell) = ractor::registry::where_is(instance.actor_name(short_name)) else {
        return false;
    };
    cell.is_message_type_of::<M>() == Some(true) && cell.send_message(msg).is_ok()
}
