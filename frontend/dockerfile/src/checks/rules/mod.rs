//! The upstream rule set, one rule per file: each file holds the rule's data (`RULE`) and, where
//! the Dockerfile alone decides it, its detection function. Invariant: `ALL` lists every rule of
//! BuildKit's Dockerfile frontend 1.26 in upstream's definition order.

pub(super) mod consistent_instruction_casing;
pub(super) mod copy_ignored_file;
pub(super) mod duplicate_stage_name;
pub(super) mod expose_invalid_format;
pub(super) mod expose_proto_casing;
pub(super) mod from_as_casing;
pub(super) mod from_platform_flag_const_disallowed;
pub(super) mod invalid_base_image_platform;
pub(super) mod invalid_default_arg_in_from;
pub(super) mod invalid_definition_description;
pub(super) mod json_args_recommended;
pub(super) mod legacy_key_value_format;
pub(super) mod maintainer_deprecated;
pub(super) mod multiple_instructions_disallowed;
pub(super) mod no_empty_continuation;
pub(super) mod redundant_target_platform;
pub(super) mod reserved_stage_name;
pub(super) mod secrets_used_in_arg_or_env;
pub(super) mod stage_name_casing;
pub(super) mod undefined_arg_in_from;
pub(super) mod undefined_var;
pub(super) mod workdir_relative_path;

use super::engine::Rule;

/// Every upstream rule, in upstream's order.
pub static ALL: [&Rule; 22] = [
    &stage_name_casing::RULE,
    &from_as_casing::RULE,
    &no_empty_continuation::RULE,
    &consistent_instruction_casing::RULE,
    &duplicate_stage_name::RULE,
    &reserved_stage_name::RULE,
    &json_args_recommended::RULE,
    &maintainer_deprecated::RULE,
    &undefined_arg_in_from::RULE,
    &workdir_relative_path::RULE,
    &undefined_var::RULE,
    &multiple_instructions_disallowed::RULE,
    &legacy_key_value_format::RULE,
    &invalid_base_image_platform::RULE,
    &redundant_target_platform::RULE,
    &secrets_used_in_arg_or_env::RULE,
    &invalid_default_arg_in_from::RULE,
    &from_platform_flag_const_disallowed::RULE,
    &copy_ignored_file::RULE,
    &invalid_definition_description::RULE,
    &expose_proto_casing::RULE,
    &expose_invalid_format::RULE,
];
