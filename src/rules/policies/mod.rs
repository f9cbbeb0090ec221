pub mod invalid_policy;
pub mod policy_not_evaluated;
