//! Compiled filters as values: what callers may do with them.

use super::*;

#[test]
fn filters_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Filter>();
    assert_send_sync::<FilterError>();
}
