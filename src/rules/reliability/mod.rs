pub mod duplicate_env_var;
