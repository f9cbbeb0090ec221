//! The pod QoS class, computed as the kubelet does (`ComputePodQOS`,
//! pkg/apis/core/v1/helper/qos): cpu and memory of every container, init containers and
//! sidecars included, requests defaulted from limits; pod-level `resources`, when set,
//! decide on their own.

use super::pod::{Container, PodTemplate};
use super::quantity::Quantity;
use crate::parse::tree::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QosClass {
    Guaranteed,
    Burstable,
    BestEffort,
}

impl QosClass {
    pub fn parse(text: &str) -> Option<QosClass> {
        match text {
            "Guaranteed" => Some(QosClass::Guaranteed),
            "Burstable" => Some(QosClass::Burstable),
            "BestEffort" => Some(QosClass::BestEffort),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::Guaranteed => "Guaranteed",
            QosClass::Burstable => "Burstable",
            QosClass::BestEffort => "BestEffort",
        }
    }
}

const QOS_RESOURCES: [&str; 2] = ["cpu", "memory"];

/// The cpu and memory requests and limits of one container (or of the pod-level
/// `resources`), after the API server's defaulting. Zero or unparseable values count as unset,
/// as the kubelet ignores non-positive quantities.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResourceShape {
    /// Indexed like `QOS_RESOURCES`.
    pub requests: [Option<Quantity>; 2],
    pub limits: [Option<Quantity>; 2],
}

impl ResourceShape {
    pub fn of(resources: Option<Node<'_>>) -> ResourceShape {
        let read = |section: &str| -> [Option<Quantity>; 2] {
            QOS_RESOURCES.map(|name| {
                let value = resources?.get(section)?.get(name)?;
                let text = value.raw()?;
                Quantity::parse(text)
            })
        };
        let limits = read("limits");
        let mut requests = read("requests");
        // Defaulting: a resource with a limit and no request gets the limit as its request.
        for i in 0..2 {
            if requests[i].is_none() {
                requests[i] = limits[i];
            }
        }
        let positive = |q: Option<Quantity>| q.filter(Quantity::is_positive);
        ResourceShape {
            requests: requests.map(positive),
            limits: limits.map(positive),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.requests
            .iter()
            .chain(&self.limits)
            .all(Option::is_none)
    }

    /// cpu and memory limits set, and each request equal to its limit.
    pub fn is_guaranteed(&self) -> bool {
        (0..2).all(|i| self.limits[i].is_some() && self.requests[i] == self.limits[i])
    }

    /// What keeps this shape from being Guaranteed, as noun phrases.
    pub fn shortfalls(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, name) in QOS_RESOURCES.iter().enumerate() {
            match (self.requests[i], self.limits[i]) {
                (_, None) => out.push(format!("no {name} limit")),
                (None, Some(_)) => out.push(format!("a zero {name} request")),
                (Some(r), Some(l)) if r != l => {
                    out.push(format!("a {name} request that differs from its limit"))
                }
                _ => {}
            }
        }
        out
    }
}

#[derive(Debug)]
pub struct PodQos<'p, 'd> {
    pub class: QosClass,
    /// Set when the pod-level `resources` decided the class.
    pub pod_level: Option<ResourceShape>,
    pub containers: Vec<(&'p Container<'d>, ResourceShape)>,
}

pub fn compute<'p, 'd>(pod: &'p PodTemplate<'d>) -> PodQos<'p, 'd> {
    let containers: Vec<_> = pod
        .containers
        .iter()
        .map(|c| (c, ResourceShape::of(c.get("resources"))))
        .collect();
    let pod_level = pod
        .spec
        .get_some("resources")
        .map(|r| ResourceShape::of(Some(r)))
        .filter(|shape| !shape.is_empty());
    let class = match &pod_level {
        Some(shape) => class_of(std::slice::from_ref(shape)),
        None => {
            let shapes: Vec<_> = containers.iter().map(|(_, s)| *s).collect();
            class_of(&shapes)
        }
    };
    PodQos {
        class,
        pod_level,
        containers,
    }
}

fn class_of(shapes: &[ResourceShape]) -> QosClass {
    let mut requests = [None::<Quantity>; 2];
    let mut limits = [None::<Quantity>; 2];
    let mut guaranteed = true;
    for shape in shapes {
        for i in 0..2 {
            if let Some(r) = shape.requests[i] {
                requests[i] = Some(requests[i].unwrap_or(Quantity::ZERO).saturating_add(r));
            }
            if let Some(l) = shape.limits[i] {
                limits[i] = Some(limits[i].unwrap_or(Quantity::ZERO).saturating_add(l));
            }
        }
        if shape.limits.iter().any(Option::is_none) {
            guaranteed = false;
        }
    }
    if requests.iter().chain(&limits).all(Option::is_none) {
        return QosClass::BestEffort;
    }
    if guaranteed && (0..2).all(|i| requests[i] == limits[i]) {
        QosClass::Guaranteed
    } else {
        QosClass::Burstable
    }
}
