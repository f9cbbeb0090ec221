use super::super::pod_security::{all_containers, describe};
use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports port 22 over TCP (the protocol unset or `TCP`): a container's
    /// `ports[].containerPort: 22`, at that value, and a Service's `ports[]` entry whose
    /// `port` or numeric `targetPort` is 22, at that value (`port` first).
    ///
    /// ## Why is this bad
    /// Port 22 is SSH. An SSH server inside a container is a second way in, beside the
    /// application, that bypasses what the cluster controls (`kubectl exec` is authorised by
    /// RBAC and audited; SSH logins are not): its keys or passwords live in the image or a
    /// volume, are rarely rotated, and give a shell to whoever gets them. A Service on port
    /// 22 exposes that server to the network. Git servers (Gitea, GitLab) that serve git over
    /// SSH are the usual exception: vet them and suppress the finding.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     ports:
    ///       - containerPort: 22
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     ports:
    ///       - containerPort: 8080
    /// # and `kubectl exec` (or `kubectl debug`) for a shell
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 1 finding in 1 file, read, true (a privileged Ubuntu pod
    /// of a security demo listening on 22). On by default: rare, and always worth a look.
    /// kube-linter's `ssh-port` is mapped.
    pub struct SshPort => "ssh-port";
}

fn is_tcp(port: Node<'_>) -> bool {
    port.get_some("protocol")
        .and_then(|p| p.as_str())
        .is_none_or(|p| p == "TCP")
}

impl Rule for SshPort {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        const HELP: &str = "remove the SSH server and use `kubectl exec` or `kubectl debug` for \
                            shell access; if the port serves another protocol, move it off 22";
        if let Some(pod) = &object.pod {
            for container in all_containers(pod) {
                let Some(ports) = container.get("ports") else {
                    continue;
                };
                for port in ports.items().filter(|p| is_tcp(*p)) {
                    let Some(number) = port.get("containerPort").filter(|n| n.as_i64() == Some(22))
                    else {
                        continue;
                    };
                    out.push(
                        Finding::new(
                            number,
                            format!(
                                "{} listens on port 22, SSH: a way into the container that \
                                 bypasses the cluster's access control and audit",
                                describe(&container)
                            ),
                        )
                        .help(HELP),
                    );
                }
            }
            return;
        }
        if object.kind != "Service" || !crate::k8s::group_of(object.api_version).is_empty() {
            return;
        }
        let Some(ports) = object.root.path(&["spec", "ports"]) else {
            return;
        };
        for port in ports.items().filter(|p| is_tcp(*p)) {
            let number = port
                .get("port")
                .filter(|n| n.as_i64() == Some(22))
                .or_else(|| port.get("targetPort").filter(|n| n.as_i64() == Some(22)));
            let Some(number) = number else { continue };
            out.push(
                Finding::new(
                    number,
                    format!(
                        "Service `{}` exposes port 22, SSH: a way into its pods that bypasses \
                         the cluster's access control and audit",
                        object.name.unwrap_or("<unnamed>")
                    ),
                )
                .help(HELP),
            );
        }
    }
}
