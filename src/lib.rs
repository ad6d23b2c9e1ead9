//! Rampart daemon library.
