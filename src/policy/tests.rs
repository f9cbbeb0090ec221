//! Policies end to end: each directory of `fixtures/policies/` is linted as `kubelint check
//! DIR` would (its `.kubelint/policies/` as the policy files), and what the policies report is
//! pinned, positions included.

// The whole file is test code: `#[cfg(test)]` says so to tests/layers.rs, which lets test
// code use any module.
#[cfg(test)]
mod scenarios {
    use std::path::Path;

    use crate::lint::{self, RunOptions};
    use crate::load;
    use crate::report::human;
    use crate::rules::RuleSet;

    fn scenario(name: &str) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("fixtures/policies").join(name);
        let found = load::discover(std::slice::from_ref(&dir), None, load::Named::Explicit);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        let inputs = crate::testing::as_typed_in(root, found.inputs);
        let mut rules = RuleSet::all();
        let own = dir.join(".kubelint/policies");
        if own.is_dir() {
            rules.policy_files = vec![own];
        }
        let report = lint::run(&inputs, &[], &rules, &RunOptions::default());
        let mut out = String::new();
        for e in &report.errors {
            out.push_str(&format!("load error: {e}\n"));
        }
        for d in report
            .diagnostics()
            .filter(|d| d.rule.contains('/') || d.rule.starts_with("invalid-policy"))
        {
            out.push_str(&human::render_one(d, false));
            out.push('\n');
        }
        out
    }

    macro_rules! scenarios {
        ($($name:ident => $dir:literal,)*) => {$(
            #[test]
            fn $name() {
                insta::assert_snapshot!($dir, scenario($dir));
            }
        )*};
    }

    scenarios! {
        a_binding_requiring_run_as_non_root => "run-as-non-root",
        matching_by_a_crds_plural_resource => "crd-plural",
        params_by_name_per_namespace => "params",
        params_missing_under_deny => "params-missing",
        warn_and_audit_bindings_and_message_expressions => "actions-and-messages",
        evaluation_errors_under_fail_and_ignore => "evaluation-errors",
        namespace_selectors_and_match_conditions => "namespaces",
        policy_files_beside_the_manifests => "own-policies",
        documentation_and_library_examples => "docs-examples",
    }

    #[test]
    fn inline_policy_tests_run() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/policies/own-policies/.kubelint/policies");
        let (results, errors) = crate::policy::own::run_tests(&[dir]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(results.len(), 4);
        let failures: Vec<_> = results
            .iter()
            .filter_map(|r| r.failure.as_deref())
            .collect();
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn an_inline_test_that_does_not_hold_fails() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.yaml");
        std::fs::write(
            &file,
            "id: acme/replicas\nmatch: {kinds: [Deployment]}\nvalidations:\n- expression: object.spec.replicas <= 3 && object.metadata.labels.tier != ''\ntests:\n- name: too many\n  expect: pass\n  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: a, labels: {tier: web}}, spec: {replicas: 5}}\n- name: unmatched kind\n  expect: fail\n  object: {apiVersion: v1, kind: Service, metadata: {name: a}}\n- name: missing field is an error, not a failure\n  expect: fail\n  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {}}\n",
        )
        .unwrap();
        let (results, errors) = crate::policy::own::run_tests(&[file]);
        assert!(errors.is_empty(), "{errors:?}");
        let failures: Vec<_> = results
            .iter()
            .map(|r| r.failure.clone().unwrap_or_default())
            .collect();
        assert_eq!(failures.len(), 3);
        assert!(
            failures[0].starts_with("expected to pass, but: failed expression"),
            "{failures:?}"
        );
        assert!(
            failures[1].contains("not matched by the policy's `match`"),
            "{failures:?}"
        );
        assert!(
            failures[2].contains("not a validation failure"),
            "{failures:?}"
        );
    }

    #[test]
    fn a_policy_file_with_errors_names_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.yaml");
        std::fs::write(
            &file,
            "id: acme/x\nvalidations:\n- expression: object.spec.replicas <=\n- expression: object.metadata.name.shout()\n---\nid: no-prefix\nvalidations: [{expression: 'true'}]\n---\nid: acme/y\nvalidation: []\n",
        )
        .unwrap();
        let (policies, errors) = crate::policy::own::load(&[file]);
        assert!(policies.is_empty());
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].starts_with("3:38: CEL: Syntax error"),
            "{messages:?}"
        );
        assert_eq!(
            messages[1],
            "4:36: CEL: undeclared reference to function `shout`"
        );
        assert!(
            messages[2].starts_with("6:5: policy id `no-prefix` must be PREFIX/NAME"),
            "{messages:?}"
        );
        assert_eq!(
            messages[3],
            "10:1: unknown policy field `validation`; did you mean `validations`?"
        );
    }

    /// What the policy `vap/p` says when `yaml` is linted as one file.
    fn messages_of_p(yaml: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("input.yaml");
        std::fs::write(&file, yaml).unwrap();
        let inputs = [load::Input::File {
            path: file,
            display: "input.yaml".to_owned(),
            explicit: true,
        }];
        let report = lint::run(&inputs, &[], &RuleSet::all(), &RunOptions::default());
        report
            .diagnostics()
            .filter(|d| d.rule == "vap/p")
            .map(|d| d.message.clone())
            .collect()
    }

    /// An expression the cost budget refuses is reported without being traced: tracing re-runs
    /// its comprehensions, which on 20,000 containers nested twice never ended.
    #[test]
    fn an_expression_over_the_budget_is_not_traced_either() {
        let containers: String = (0..20_000)
            .map(|i| format!("      - {{name: c{i}, image: 'n:1'}}\n"))
            .collect();
        let manifest = format!(
            "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {{name: p}}\nspec:\n  matchConstraints:\n    resourceRules: [{{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}}]\n  validations:\n  - expression: object.spec.template.spec.containers.all(a, object.spec.template.spec.containers.all(b, a.name == b.name || a.image != 'x'))\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {{name: p}}\nspec: {{policyName: p, validationActions: [Deny]}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: a}}\nspec:\n  selector: {{matchLabels: {{a: b}}}}\n  template:\n    metadata: {{labels: {{a: b}}}}\n    spec:\n      containers:\n{containers}"
        );
        let messages = messages_of_p(&manifest);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].ends_with(
                "could not be evaluated: with lists of up to 20000 items, its nested comprehensions could exceed the cost budget of 1e7 steps"
            ),
            "{messages:?}"
        );
    }

    /// A cluster-scoped object is requested without a namespace: no `namespaceObject`, and
    /// `request.namespace` empty (they were the run's default namespace).
    #[test]
    fn a_cluster_scoped_object_has_no_namespace() {
        let found = messages_of_p(
            "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\nspec:\n  matchConstraints:\n    resourceRules: [{apiGroups: [rbac.authorization.k8s.io], apiVersions: [v1], operations: [CREATE], resources: [clusterroles]}]\n  validations:\n  - expression: namespaceObject == null && request.namespace == '' && !has(object.metadata.namespace)\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: p}\nspec: {policyName: p, validationActions: [Deny]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
