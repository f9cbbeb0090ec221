//! Rules about volumes and the pods that share them.

pub mod rwo_volume_rolling_update;
pub mod rwo_volume_scaled;

use crate::index::{Index, KindFacts, NamespaceKey};

/// The single-attach access mode of a claim: `ReadWriteOncePod`, or `ReadWriteOnce` when the
/// claim allows no mode that several nodes can share. None for shareable or unknown claims.
pub(crate) fn single_attach_mode<'i>(
    index: &'i Index,
    ns: &NamespaceKey,
    claim: &str,
) -> Option<&'i str> {
    let facts = index.find("PersistentVolumeClaim", ns, claim)?;
    let KindFacts::PersistentVolumeClaim { access_modes } = &facts.kind else {
        return None;
    };
    if access_modes
        .iter()
        .any(|m| m == "ReadWriteMany" || m == "ReadOnlyMany")
    {
        return None;
    }
    access_modes
        .iter()
        .find(|m| *m == "ReadWriteOncePod")
        .or_else(|| access_modes.iter().find(|m| *m == "ReadWriteOnce"))
        .map(String::as_str)
}
