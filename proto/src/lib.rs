//! BuildKit's wire types, in: nothing; out: the generated protobuf modules behind stable names,
//! plus the few JSON shapes BuildKit exchanges that have no protobuf (errdefs source details).
//! Invariant: generated code is only re-exported here; hand-written conversions live outside `pb`.

pub mod errdefs;

/// LLB: ops, definitions, source locations (`pb` package in BuildKit's `solver/pb`).
pub mod pb {
    pub use bollard_buildkit_proto::pb::*;
}

/// The gateway API a frontend calls (`moby.buildkit.v1.frontend`).
pub mod gateway {
    pub use bollard_buildkit_proto::moby::buildkit::v1::frontend::*;
}

/// BuildKit's capability descriptors (`moby.buildkit.v1.apicaps`).
pub mod apicaps {
    pub use bollard_buildkit_proto::moby::buildkit::v1::apicaps::*;
}

/// File metadata BuildKit reports for `ReadDir` and `StatFile` (`fsutil.types`).
pub mod fsutil {
    pub use bollard_buildkit_proto::fsutil::types::*;
}

/// Worker records and other shared control-API types (`moby.buildkit.v1.types`).
pub mod types {
    pub use bollard_buildkit_proto::moby::buildkit::v1::types::*;
}

/// `google.rpc.Status` and `google.protobuf.Any`, the shape of errors returned to BuildKit.
pub mod rpc {
    pub use bollard_buildkit_proto::google::protobuf::Any;
    pub use bollard_buildkit_proto::google::rpc::Status;
}
