//! Kubernetes CRD mode: the CRDs generated from the manifest spec types, and the operator that reconciles
//! them with the same plan/apply core as git mode.

pub mod crd;
pub mod operator;
pub mod reconcile;
pub mod secrets;
