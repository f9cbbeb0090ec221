//! Schema rules: each reports one kind of what `crate::schema` finds when it validates an
//! object against the strict schema of its kind (or its CRD).

pub mod invalid_value;
pub mod missing_required_field;
pub mod unknown_field;
pub mod unknown_kind;

use super::{Finding, Options};
use crate::model::Object;
use crate::schema::{self, Check};

/// The findings of one check for `object`, validating it if no schema rule did yet.
fn report<'d>(check: Check, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
    out.extend(
        schema::violations(object, options)
            .iter()
            .filter(|v| v.check == check)
            .map(|v| v.finding.clone()),
    );
}
