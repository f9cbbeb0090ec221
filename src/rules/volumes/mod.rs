//! Rules about volumes and the pods that share them.

pub mod rwo_volume_rolling_update;
pub mod rwo_volume_scaled;

use crate::index::{ClaimMount, Index, KindFacts, NamespaceKey};

/// The single-attach access mode of a claim: `ReadWriteOncePod`, or `ReadWriteOnce` when the
/// claim allows no mode that several nodes can share. None for shareable or unknown claims.
pub(crate) fn single_attach_mode<'i>(
    index: &'i Index,
    ns: &NamespaceKey,
    claim: &str,
) -> Option<&'i str> {
    let facts = index.find("PersistentVolumeClaim", ns, claim)?;
    let KindFacts::PersistentVolumeClaim { access_modes, .. } = &facts.kind else {
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

/// Whether a workload's claims may pin it to one pod at a time: one of them is single-attach,
/// or is not in the run (most claims are ReadWriteOnce, the default of most storage classes).
/// `min-replicas` and `rolling-update-strategy` stay silent on such a workload, since
/// `rwo-volume-scaled` and `rwo-volume-rolling-update` tell its users not to scale it and to
/// roll it out with `Recreate`.
pub(crate) fn may_pin_one_pod(index: &Index, ns: &NamespaceKey, claims: &[ClaimMount]) -> bool {
    claims.iter().any(|mount| {
        index
            .find("PersistentVolumeClaim", ns, &mount.claim)
            .is_none()
            || single_attach_mode(index, ns, &mount.claim).is_some()
    })
}
