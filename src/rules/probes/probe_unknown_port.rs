use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports an `httpGet` or `tcpSocket` probe (liveness, readiness or startup) whose `port`
    /// is a name that the container does not declare in its `ports`.
    ///
    /// ## Why is this bad
    /// The kubelet resolves a named probe port from the container's own `ports` list. A name it
    /// cannot resolve (a typo, a port renamed or moved to another container) makes the probe
    /// fail every time: a readiness probe keeps the pod out of every Service forever, a
    /// liveness probe restarts it in a loop. Numeric ports are not reported: they work
    /// whether or not the port is declared.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - name: http
    ///     containerPort: 8080
    /// readinessProbe:
    ///   httpGet:
    ///     path: /ready
    ///     port: htp
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ports:
    ///   - name: http
    ///     containerPort: 8080
    /// readinessProbe:
    ///   httpGet:
    ///     path: /ready
    ///     port: http
    /// ```
    pub struct ProbeUnknownPort => "probe-unknown-port";
}

const PROBES: [(&str, &str); 3] = [
    ("livenessProbe", "liveness"),
    ("readinessProbe", "readiness"),
    ("startupProbe", "startup"),
];

impl Rule for ProbeUnknownPort {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in &pod.containers {
            for (field, what) in PROBES {
                let Some(probe) = container.get(field) else {
                    continue;
                };
                for handler in ["httpGet", "tcpSocket"] {
                    let Some(port) = probe.get(handler).and_then(|h| h.get("port")) else {
                        continue;
                    };
                    // The kubelet falls back to reading a string as a number ("8080").
                    let Some(name) = port.as_str().filter(|s| s.parse::<i64>().is_err()) else {
                        continue;
                    };
                    if container.declares_port_name(name) {
                        continue;
                    }
                    let declared = container.declared_port_names();
                    let closest = declared
                        .iter()
                        .filter(|d| crate::text::edit_distance(d, name) <= 2)
                        .min_by_key(|d| crate::text::edit_distance(d, name));
                    let help = if let Some(close) = closest {
                        format!(
                            "did you mean `{close}`? `{}` declares it",
                            container.display_name()
                        )
                    } else if declared.is_empty() {
                        format!(
                            "`{}` declares no named ports; add `- name: {name}` with its \
                             containerPort to `ports`, or use the port number",
                            container.display_name()
                        )
                    } else {
                        format!(
                            "the named ports of `{}` are: {}",
                            container.display_name(),
                            declared
                                .iter()
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    out.push(
                        Finding::new(
                            port,
                            format!(
                                "{what} probe of `{}` uses port `{name}`, which the container \
                                 does not declare; the probe can never succeed",
                                container.display_name()
                            ),
                        )
                        .help(help),
                    );
                }
            }
        }
    }
}
