//! A task's parent: the rule that the parent chain never loops back to the task.

use std::collections::HashSet;

use crate::model::{Kind, Record};
use crate::store::{Store, StoreError};

/// A parent that would close a loop of tasks.
#[derive(Debug, thiserror::Error)]
pub enum ParentError {
    #[error("parent {0:?}: a task cannot be its own parent or its subtask's subtask (a loop)")]
    Loop(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The parent UID a task names (RELATED-TO, RELTYPE=PARENT or none given).
pub fn parent_of(r: &Record) -> Option<&str> {
    r.props_named("RELATED-TO")
        .find(|p| {
            p.param("RELTYPE")
                .is_none_or(|t| t.eq_ignore_ascii_case("PARENT"))
        })
        .map(|p| p.value.as_str())
}

/// Refuse `parent_uid` as the parent of the task `child_uid` when walking up from
/// the parent reaches the child (a loop every tree view would have to break).
pub fn check_no_loop(store: &Store, child_uid: &str, parent_uid: &str) -> Result<(), ParentError> {
    let mut seen = HashSet::new();
    let mut at = parent_uid.to_string();
    loop {
        if at == child_uid {
            return Err(ParentError::Loop(parent_uid.to_string()));
        }
        // A loop above that does not pass through the child is not this edit's.
        if !seen.insert(at.clone()) {
            return Ok(());
        }
        let up = store
            .by_uid(Kind::Task, &at)?
            .iter()
            .find_map(|r| parent_of(r).map(str::to_string));
        match up {
            Some(p) => at = p,
            None => return Ok(()),
        }
    }
}
