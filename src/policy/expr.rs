//! One CEL expression of a policy: compiled once, run against many objects, with what it reads
//! of `object` known statically so that a failure can point at a node.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use cel::common::types::{CelList, CelMap, CelMapKey, CelNull, Kind};
use cel::common::value::Val;
use cel::{Context, Env, Program, Value};

use crate::parse::scalar::ScalarValue;
use crate::parse::tree::Node;

use super::cel_lib;

/// The environment every policy expression is compiled and run with, built once.
pub fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(cel_lib::kubernetes_env()))
}

/// How far an expression may go on one object. Kubernetes counts evaluation cost at run time
/// and stops an expression past its per-call limit (10⁶); cel-rust cannot count, so the bound
/// is decided before running: the largest list or map the expression may iterate, raised to
/// the depth of its nested comprehensions, times its size. An expression that could exceed it
/// is not run on that object, and says so.
pub const COST_BUDGET: f64 = 1e7;

/// The stack of the thread that parses an expression: enough for the deepest tree the
/// longest one makes.
const COMPILE_STACK_BYTES: usize = 256 << 20;
/// The longest expression kubelint compiles.
const MAX_SOURCE_CHARS: usize = 20_000;
/// The deepest nesting of an expression's tree (cel-go's parser stops at 250 too).
const MAX_NESTING: usize = 250;

/// How deep an expression's tree goes, measured without recursing.
fn nesting(root: &IdedExpr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((expr, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        if depth > MAX_NESTING {
            break;
        }
        let next = depth + 1;
        match &expr.expr {
            Expr::Call(call) => {
                stack.extend(call.target.as_deref().map(|t| (t, next)));
                stack.extend(call.args.iter().map(|a| (a, next)));
            }
            Expr::Select(select) => stack.push((&select.operand, next)),
            Expr::List(list) => stack.extend(list.elements.iter().map(|e| (e, next))),
            Expr::Map(map) => {
                for entry in &map.entries {
                    match &entry.expr {
                        cel::common::ast::EntryExpr::MapEntry(e) => {
                            stack.push((&e.key, next));
                            stack.push((&e.value, next));
                        }
                        cel::common::ast::EntryExpr::StructField(f) => stack.push((&f.value, next)),
                    }
                }
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                        stack.push((&f.value, next));
                    }
                }
            }
            Expr::Comprehension(c) => {
                for part in [
                    &c.iter_range,
                    &c.accu_init,
                    &c.loop_cond,
                    &c.loop_step,
                    &c.result,
                ] {
                    stack.push((part, next));
                }
            }
            _ => {}
        }
    }
    deepest
}

/// One step of a path through `object`: a named field, a list index, or any item of a list or
/// map (the variable of a comprehension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Field(String),
    Index(usize),
    Any,
}

/// Where a path starts: the object under review or the params.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Object,
    Params,
}

pub type Path = (Root, Vec<Step>);

#[derive(Debug)]
pub struct Expression {
    pub source: String,
    program: Program,
    /// The parsed expression, walked again to find what a failure is about.
    ast: IdedExpr,
    /// The paths of `object` the expression reads, in the order they are written.
    pub paths: Vec<Path>,
    /// The `variables.NAME` it reads, so their paths count as its own.
    pub variables: Vec<String>,
    /// It asks the `authorizer`, which only a live API server can answer.
    pub uses_authorizer: bool,
    depth: u32,
    size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub message: String,
    /// 0-based character offset in the expression's source.
    pub column: usize,
}

impl Expression {
    pub fn compile(source: &str) -> Result<Expression, CompileError> {
        // The parser recurses over the expression (a chain `1 + 1 + …` as deep as it is long):
        // it runs on a thread whose stack holds the longest expression compiled, and what comes
        // out nests at most `MAX_NESTING` levels, which any thread's stack evaluates.
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("cel-compile".to_owned())
                .stack_size(COMPILE_STACK_BYTES)
                .spawn_scoped(scope, || Expression::compile_here(source))
                .ok()
                .and_then(|thread| thread.join().ok())
                .unwrap_or_else(|| {
                    Err(CompileError {
                        message: "the expression could not be compiled".to_owned(),
                        column: 0,
                    })
                })
        })
    }

    fn compile_here(source: &str) -> Result<Expression, CompileError> {
        // The interpreter (and the walks here) recurse over the expression: bounding its size
        // and nesting first keeps a pathological policy an error, never a stack overflow.
        if source.chars().count() > MAX_SOURCE_CHARS {
            return Err(CompileError {
                message: format!(
                    "the expression is longer than {MAX_SOURCE_CHARS} characters: split it into variables"
                ),
                column: 0,
            });
        }
        let env = env();
        let program = env.compile(source).map_err(|errors| {
            let first = errors.errors.first();
            CompileError {
                message: first.map_or_else(|| errors.to_string(), |e| readable(&e.msg)),
                // The parser counts columns from 1.
                column: first.map_or(0, |e| (e.pos.1.max(1) - 1) as usize),
            }
        })?;
        let references = program.references();
        let uses_authorizer = references.has_variable("authorizer");
        // The authorizer's library (`check`, `allowed`, …) exists only in a live API server.
        for name in references
            .functions()
            .into_iter()
            .filter(|_| !uses_authorizer)
        {
            if !cel_lib::is_declared(name) {
                return Err(CompileError {
                    message: format!("undeclared reference to function `{name}`"),
                    column: column_of(source, name),
                });
            }
        }
        let ast = env.parser().parse(source).map_err(|e| CompileError {
            message: e.to_string(),
            column: 0,
        })?;
        if nesting(&ast) > MAX_NESTING {
            return Err(CompileError {
                message: format!(
                    "the expression nests deeper than {MAX_NESTING} levels: split it into variables"
                ),
                column: 0,
            });
        }
        let mut walk = Walk::default();
        walk.expr(&ast, &HashMap::new(), 0);
        Ok(Expression {
            source: source.to_owned(),
            program,
            ast,
            paths: walk.paths,
            variables: walk.variables,
            uses_authorizer,
            depth: walk.depth,
            size: walk.size,
        })
    }

    /// Whether running on inputs whose largest collection has `fan_out` items stays within the
    /// budget.
    pub fn within_budget(&self, fan_out: usize) -> bool {
        let iterations = (fan_out.max(1) as f64).powi(self.depth as i32);
        iterations * f64::from(self.size.max(1)) <= COST_BUDGET
    }

    pub fn run(&self, bindings: &Bindings<'_>) -> Result<Value, String> {
        self.program
            .execute(&bindings.context)
            .map_err(|e| e.to_string())
    }

    /// The source on one line, cut to a length a message can quote.
    pub fn short(&self) -> String {
        let one_line = self.source.split_whitespace().collect::<Vec<_>>().join(" ");
        match one_line.char_indices().nth(100) {
            Some((cut, _)) => format!("{}…", &one_line[..cut]),
            None => one_line,
        }
    }

    /// What a failed expression is about: the path its failing part reads last. A tracing
    /// walk, for the shapes policies are written in: of `a && b` the operand that is false, of
    /// `list.all(x, p)` the item on which `p` fails (then inside `p`); elsewhere the last
    /// path the expression reads. `variables` gives the path each `variables.NAME` stands for.
    pub fn blame(
        &self,
        bindings: &Bindings<'_>,
        variables: &[(String, Option<Path>)],
    ) -> Option<Path> {
        let context = &bindings.context;
        let mut scope = Scope::new();
        for (name, path) in variables {
            if let Some(path) = path {
                scope.insert(format!("variables.{name}"), path.clone());
            }
        }
        blame(&self.ast, context, &scope, 0)
    }

    /// The path this expression stands for when it is nothing but a selection
    /// (`object.spec.template.spec.containers`, `object.spec.?volumes.orValue([])`): a
    /// variable that is one is an alias of that part of `object`.
    pub fn as_path(&self) -> Option<Path> {
        path_of(&self.ast, &Scope::new())
    }
}

/// How deep the tracing walk goes into nested comprehensions before settling for the last
/// path read: each level evaluates its predicate once per item.
const BLAME_DEPTH: u32 = 3;

fn blame(expr: &IdedExpr, context: &Context<'_, '_>, scope: &Scope, depth: u32) -> Option<Path> {
    let is_false = |e: &IdedExpr, ctx: &Context<'_, '_>| {
        !matches!(Value::resolve(e, ctx), Ok(Value::Bool(true)))
    };
    match &expr.expr {
        Expr::Call(call) if call.func_name == "_&&_" && call.args.len() == 2 => {
            let failing = if is_false(&call.args[0], context) {
                &call.args[0]
            } else {
                &call.args[1]
            };
            blame(failing, context, scope, depth)
        }
        Expr::Call(call) if call.func_name == "_||_" && call.args.len() == 2 => {
            blame(&call.args[1], context, scope, depth)
        }
        Expr::Comprehension(c) if depth < BLAME_DEPTH => {
            if let Some(predicate) = all_predicate(c)
                && let Ok(range) = Value::resolve_val(&c.iter_range, context)
                && range.get_type().kind() == Kind::List
                && let Some(iterable) = range.as_iterable()
            {
                let read = path_of(&c.iter_range, scope);
                let mut items = iterable.iter();
                let mut i = 0;
                while let Some(item) = items.next() {
                    let mut inner = context.new_inner_scope();
                    inner.add_variable_as_val(c.iter_var.clone(), item.clone_as_boxed());
                    if !is_false(predicate, &inner) {
                        i += 1;
                        continue;
                    }
                    // Where the item is: by the path the list was read from, else by value.
                    let item_path = match &read {
                        Some((root, steps)) => {
                            let mut steps = steps.clone();
                            steps.push(Step::Index(i));
                            Some((*root, steps))
                        }
                        None => item_of_concatenation(&c.iter_range, i, context, scope)
                            .or_else(|| locate_by_value(context, item)),
                    };
                    let Some(item_path) = item_path else {
                        break;
                    };
                    let mut item_scope = scope.clone();
                    item_scope.insert(c.iter_var.clone(), item_path.clone());
                    return blame(predicate, &inner, &item_scope, depth + 1).or(Some(item_path));
                }
            }
            last_path(expr, scope)
        }
        _ => last_path(expr, scope),
    }
}

/// The path of item `i` of `a + b` (`containers + initContainers`), where each side is read
/// from `object`: the item is in `a` or, past its size, in `b`.
fn item_of_concatenation(
    range: &IdedExpr,
    i: usize,
    context: &Context<'_, '_>,
    scope: &Scope,
) -> Option<Path> {
    if let Some((root, mut steps)) = path_of(range, scope) {
        steps.push(Step::Index(i));
        return Some((root, steps));
    }
    let Expr::Call(call) = &range.expr else {
        return None;
    };
    if call.func_name != "_+_" || call.args.len() != 2 {
        return None;
    }
    let first = Value::resolve_val(&call.args[0], context).ok()?;
    let size = usize::try_from(*first.as_sizer()?.size().inner()).ok()?;
    if i < size {
        item_of_concatenation(&call.args[0], i, context, scope)
    } else {
        item_of_concatenation(&call.args[1], i - size, context, scope)
    }
}

/// Where in `object` a value built from it lies (an item of `a + b`), searched by value.
fn locate_by_value(context: &Context<'_, '_>, item: &dyn Val) -> Option<Path> {
    let object = Value::try_from(context.get_variable("object")?.as_ref()).ok()?;
    let item = Value::try_from(item).ok()?;
    let mut steps = Vec::new();
    find_value(&object, &item, &mut steps).then_some((Root::Object, steps))
}

/// The predicate of an `all(x, p)` macro: `@result && p` in its loop step.
fn all_predicate(c: &cel::common::ast::ComprehensionExpr) -> Option<&IdedExpr> {
    let Expr::Literal(LiteralValue::Boolean(init)) = &c.accu_init.expr else {
        return None;
    };
    if !**init {
        return None;
    }
    match &c.loop_step.expr {
        Expr::Call(step) if step.func_name == "_&&_" && step.args.len() == 2 => {
            matches!(&step.args[0].expr, Expr::Ident(a) if *a == c.accu_var).then(|| &step.args[1])
        }
        _ => None,
    }
}

fn last_path(expr: &IdedExpr, scope: &Scope) -> Option<Path> {
    let mut walk = Walk::default();
    walk.expr(expr, scope, 0);
    walk.paths.pop()
}

/// The variables an expression runs with (`object`, `params`, `request`, `variables`, …),
/// converted to CEL's values once: a policy's expressions run in a child scope of the
/// object's bindings, which adds its params and variables without converting the object again.
pub struct Bindings<'p> {
    context: Context<'p, 'static>,
}

impl Default for Bindings<'static> {
    fn default() -> Self {
        Bindings {
            context: Context::with_env(Arc::clone(env())),
        }
    }
}

impl<'p> Bindings<'p> {
    pub fn set(&mut self, name: &str, value: Value) {
        self.context.add_variable_as_val(name, into_val(value));
    }

    /// A scope over these bindings, for what one policy adds.
    pub fn child(&self) -> Bindings<'_> {
        Bindings {
            context: self.context.new_inner_scope(),
        }
    }
}

/// A value as the interpreter holds it, consuming it: cel's own conversion clones every map
/// and list at every level (quadratic in the depth of a manifest); a value built for one
/// object is moved instead.
fn into_val(value: Value) -> Box<dyn Val> {
    match value {
        Value::Map(map) => {
            let entries = Arc::try_unwrap(map.map).unwrap_or_else(|shared| (*shared).clone());
            let converted: HashMap<CelMapKey<'static>, Box<dyn Val>> = entries
                .into_iter()
                .map(|(k, v)| (CelMapKey::from(k), into_val(v)))
                .collect();
            Box::new(CelMap::from(converted))
        }
        Value::List(items) => {
            let items = Arc::try_unwrap(items).unwrap_or_else(|shared| (*shared).clone());
            let converted: Vec<Box<dyn Val>> = items.into_iter().map(into_val).collect();
            Box::new(CelList::from(converted))
        }
        other => Box::<dyn Val>::try_from(other).unwrap_or_else(|_| Box::new(CelNull)),
    }
}

/// A parser message without the debug formatting some of them carry
/// (`Syntax error: OtherError(ParseError { …, msg: "Recursion limit of 96 exceeded", … })`).
fn readable(message: &str) -> String {
    if let Some(inner) = message.split("msg: \"").nth(1)
        && let Some(end) = inner.find('"')
    {
        let inner = &inner[..end];
        if inner.starts_with("Recursion limit") {
            return format!("the expression nests too deeply ({inner})");
        }
        return inner.to_owned();
    }
    message.to_owned()
}

/// Where `name` is called in `source`, for an error at the call.
fn column_of(source: &str, name: &str) -> usize {
    source
        .find(&format!("{name}("))
        .map_or(0, |byte| source[..byte].chars().count())
}

#[derive(Default)]
struct Walk {
    paths: Vec<Path>,
    variables: Vec<String>,
    depth: u32,
    size: u32,
}

type Scope = HashMap<String, Path>;

impl Walk {
    /// Records the paths `expr` reads. A chain of selections is recorded once, whole.
    fn expr(&mut self, expr: &IdedExpr, scope: &Scope, depth: u32) {
        self.size += 1;
        self.depth = self.depth.max(depth);
        if let Some(path) = path_of(expr, scope) {
            self.paths.push(path);
            self.chain_arguments(expr, scope, depth);
            return;
        }
        if let Some(name) = variable_of(expr) {
            self.variables.push(name);
            return;
        }
        match &expr.expr {
            Expr::Select(select) => self.expr(&select.operand, scope, depth),
            Expr::Call(call) => {
                if let Some(target) = &call.target {
                    self.expr(target, scope, depth);
                }
                for arg in &call.args {
                    self.expr(arg, scope, depth);
                }
            }
            Expr::List(list) => {
                for e in &list.elements {
                    self.expr(e, scope, depth);
                }
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(e) = &entry.expr {
                        self.expr(&e.key, scope, depth);
                        self.expr(&e.value, scope, depth);
                    }
                }
            }
            Expr::Comprehension(c) => {
                self.expr(&c.iter_range, scope, depth);
                let mut inner = scope.clone();
                if let Some((root, mut steps)) = path_of(&c.iter_range, scope) {
                    steps.push(Step::Any);
                    inner.insert(c.iter_var.clone(), (root, steps));
                } else {
                    inner.remove(&c.iter_var);
                }
                if let Some(second) = &c.iter_var2 {
                    inner.remove(second);
                }
                inner.remove(&c.accu_var);
                self.expr(&c.accu_init, scope, depth);
                self.expr(&c.loop_cond, &inner, depth + 1);
                self.expr(&c.loop_step, &inner, depth + 1);
                self.expr(&c.result, &inner, depth);
            }
            _ => {}
        }
    }

    /// The index arguments of a selection chain are expressions of their own.
    fn chain_arguments(&mut self, expr: &IdedExpr, scope: &Scope, depth: u32) {
        match &expr.expr {
            Expr::Call(call)
                if call.func_name == cel_lib::OPTIONAL_PATH_OR && call.args.len() == 3 =>
            {
                self.chain_arguments(&call.args[0], scope, depth);
                self.expr(&call.args[2], scope, depth);
            }
            Expr::Select(select) => self.chain_arguments(&select.operand, scope, depth),
            Expr::Call(call) if is_index(&call.func_name) && call.args.len() == 2 => {
                self.chain_arguments(&call.args[0], scope, depth);
                if literal_step(&call.args[1]).is_none() {
                    self.expr(&call.args[1], scope, depth);
                }
            }
            _ => {}
        }
    }
}

fn is_index(function: &str) -> bool {
    matches!(function, "_[_]" | "_[?_]" | "_?._")
}

fn literal_step(expr: &IdedExpr) -> Option<Step> {
    match &expr.expr {
        Expr::Literal(LiteralValue::String(s)) => Some(Step::Field(s.to_string())),
        Expr::Literal(LiteralValue::Int(i)) => usize::try_from(*i.inner()).ok().map(Step::Index),
        Expr::Literal(LiteralValue::UInt(u)) => usize::try_from(*u.inner()).ok().map(Step::Index),
        _ => None,
    }
}

/// `variables.NAME`, the way a policy names one of its variables.
fn variable_of(expr: &IdedExpr) -> Option<String> {
    match &expr.expr {
        Expr::Select(select) => match &select.operand.expr {
            Expr::Ident(name) if name == "variables" => Some(select.field.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The path a selection chain reads, if it starts at `object`, `params` or a comprehension
/// variable that iterates one of their parts.
fn path_of(expr: &IdedExpr, scope: &Scope) -> Option<Path> {
    match &expr.expr {
        Expr::Ident(name) => match name.as_str() {
            "object" => Some((Root::Object, Vec::new())),
            "params" => Some((Root::Params, Vec::new())),
            _ => scope.get(name).cloned(),
        },
        Expr::Select(select) => {
            if let Expr::Ident(operand) = &select.operand.expr
                && operand == "variables"
            {
                return scope.get(&format!("variables.{}", select.field)).cloned();
            }
            let (root, mut steps) = path_of(&select.operand, scope)?;
            steps.push(Step::Field(select.field.clone()));
            Some((root, steps))
        }
        Expr::Call(call) if is_index(&call.func_name) && call.args.len() == 2 => {
            let (root, mut steps) = path_of(&call.args[0], scope)?;
            steps.push(literal_step(&call.args[1]).unwrap_or(Step::Any));
            Some((root, steps))
        }
        // `object.spec.?volumes.orValue([])` reads `object.spec.volumes`; the library rewrites
        // chains of optional fields to one call with the keys as a list.
        Expr::Call(call) if call.func_name == "orValue" => path_of(call.target.as_deref()?, scope),
        Expr::Call(call) if call.func_name == cel_lib::OPTIONAL_PATH_OR && call.args.len() == 3 => {
            let (root, mut steps) = path_of(&call.args[0], scope)?;
            let Expr::List(keys) = &call.args[1].expr else {
                return None;
            };
            for key in &keys.elements {
                steps.push(literal_step(key)?);
            }
            Some((root, steps))
        }
        _ => None,
    }
}

/// The steps from `root` to a value equal to `target`, searched depth first: where an item a
/// comprehension iterates lies in `object` when the list was built (`a + b`, `filter`) rather
/// than read.
fn find_value(root: &Value, target: &Value, steps: &mut Vec<Step>) -> bool {
    if root == target {
        return true;
    }
    match root {
        Value::Map(map) => {
            let mut keys: Vec<_> = map.map.iter().collect();
            // Map order is a hash order: search in a fixed one, so a finding is reproducible.
            keys.sort_by_key(|(k, _)| k.to_string());
            for (key, value) in keys {
                steps.push(Step::Field(key.to_string()));
                if find_value(value, target, steps) {
                    return true;
                }
                steps.pop();
            }
            false
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Index(i));
                if find_value(item, target, steps) {
                    return true;
                }
                steps.pop();
            }
            false
        }
        _ => false,
    }
}

/// A node of the span tree as a CEL value: integers stay `int` (through JSON they would become
/// `uint` and `object.spec.replicas + 1` would not type-check), quoted scalars stay strings.
pub fn value_of(node: Node<'_>) -> Value {
    if node.is_map() {
        let map: HashMap<String, Value> = node
            .entries()
            .filter_map(|(k, v)| Some((k.key_text()?.to_owned(), value_of(v))))
            .collect();
        return Value::Map(map.into());
    }
    if node.is_seq() {
        return Value::List(Arc::new(node.items().map(value_of).collect()));
    }
    match node.scalar_value() {
        Some(ScalarValue::Null) => Value::Null,
        Some(ScalarValue::Bool(b)) => Value::Bool(b),
        Some(ScalarValue::Int(i)) => Value::Int(i),
        Some(ScalarValue::Float(f)) => Value::Float(f),
        _ => Value::String(Arc::new(node.as_str().unwrap_or_default().to_owned())),
    }
}

/// Where a path leads in an object.
#[derive(Debug, Clone, Copy)]
pub struct Located<'d> {
    pub node: Node<'d>,
    /// The key `node` is the value of, when its parent is a map.
    pub key: Option<Node<'d>>,
    /// Whether the whole path is there (else `node` is as far as it goes).
    pub whole: bool,
}

/// The node a path leads to in `root`, or the deepest one it reaches: for a list item of a
/// comprehension, the first item where the rest of the path is missing or false (the one the
/// expression most likely failed on), else the first.
pub fn locate<'d>(root: Node<'d>, steps: &[Step]) -> Located<'d> {
    locate_under(root, None, steps)
}

fn locate_under<'d>(root: Node<'d>, key: Option<Node<'d>>, steps: &[Step]) -> Located<'d> {
    let Some((step, rest)) = steps.split_first() else {
        return Located {
            node: root,
            key,
            whole: true,
        };
    };
    let next: Vec<(Option<Node<'d>>, Node<'d>)> = match step {
        Step::Field(name) if root.is_map() => root
            .entry(name)
            .map(|(k, v)| (Some(k), v))
            .into_iter()
            .collect(),
        Step::Index(i) if root.is_seq() => root
            .items()
            .nth(*i)
            .map(|v| (None, v))
            .into_iter()
            .collect(),
        Step::Any if root.is_seq() => root.items().map(|v| (None, v)).collect(),
        Step::Any if root.is_map() => root.entries().map(|(k, v)| (Some(k), v)).collect(),
        _ => Vec::new(),
    };
    let mut best: Option<Located<'d>> = None;
    for (child_key, child) in next {
        let found = locate_under(child, child_key, rest);
        let failing = !found.whole || found.node.as_bool() == Some(false) || found.node.is_null();
        if failing {
            return found;
        }
        best.get_or_insert(found);
    }
    // Nothing further: the path stops here, at the map or list that lacks the next step.
    best.unwrap_or(Located {
        node: root,
        key,
        whole: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lines::LineIndex;
    use crate::parse::parse_stream;

    fn with_object<T>(yaml: &str, f: impl FnOnce(Node<'_>) -> T) -> T {
        let lines = LineIndex::new(yaml);
        let stream = parse_stream(yaml, &lines);
        f(stream.documents[0].root())
    }

    fn run(yaml: &str, source: &str) -> Result<Value, String> {
        let expression = Expression::compile(source).map_err(|e| e.message)?;
        with_object(yaml, |root| {
            let mut bindings = Bindings::default();
            bindings.set("object", value_of(root));
            expression.run(&bindings)
        })
    }

    #[test]
    fn integers_stay_int_and_strings_stay_strings() {
        let yaml = "spec:\n  replicas: 3\n  tag: '3'\n  ratio: 0.5\n  on: true\n";
        assert_eq!(run(yaml, "object.spec.replicas + 1"), Ok(Value::Int(4)));
        assert_eq!(run(yaml, "object.spec.tag + 'x'"), Ok(Value::from("3x")));
        assert_eq!(run(yaml, "object.spec.ratio * 2.0"), Ok(Value::Float(1.0)));
        assert_eq!(run(yaml, "object.spec.on"), Ok(Value::Bool(true)));
    }

    #[test]
    fn undeclared_functions_are_compile_errors_at_the_call() {
        let error = Expression::compile("object.spec.all(c, c.fooBar())").unwrap_err();
        assert_eq!(error.message, "undeclared reference to function `fooBar`");
        assert_eq!(error.column, 21);
    }

    #[test]
    fn pathological_expressions_are_errors_not_stack_overflows() {
        let long_chain = format!("{}1 > 0", "1 + ".repeat(4000));
        let error = Expression::compile(&long_chain).unwrap_err();
        assert!(error.message.contains("nests deeper than 250"), "{error:?}");
        let huge = "1 + ".repeat(6000);
        let error = Expression::compile(&huge).unwrap_err();
        assert!(error.message.contains("longer than 20000"), "{error:?}");
        // The parser folds double negations: this one is shallow, and runs.
        let negations = format!("{}true", "!".repeat(5000));
        let shallow = Expression::compile(&negations).unwrap();
        assert_eq!(shallow.run(&Bindings::default()), Ok(Value::Bool(true)));
        let parens = format!("{}1{} == 1", "(".repeat(3000), ")".repeat(3000));
        let error = Expression::compile(&parens).unwrap_err();
        assert!(
            error.message.starts_with("the expression nests too deeply"),
            "{error:?}"
        );
    }

    #[test]
    fn syntax_errors_carry_their_column() {
        let error = Expression::compile("object.spec ==").unwrap_err();
        assert_eq!(error.column, 14, "{error:?}");
    }

    #[test]
    fn paths_follow_comprehension_variables_and_optional_selections() {
        let e = Expression::compile(
            "object.spec.template.spec.containers.all(c, c.securityContext.?runAsNonRoot.orValue(false))",
        )
        .unwrap();
        let field = |s: &str| Step::Field(s.to_owned());
        assert_eq!(
            e.paths.last().unwrap().1,
            vec![
                field("spec"),
                field("template"),
                field("spec"),
                field("containers"),
                Step::Any,
                field("securityContext"),
                field("runAsNonRoot"),
            ]
        );
        assert_eq!(e.depth, 1);
        assert!(e.within_budget(1000));
        assert!(!e.within_budget(1 << 30));
    }

    #[test]
    fn locate_prefers_the_item_that_fails() {
        let yaml = "containers:\n- name: a\n  securityContext: {runAsNonRoot: true}\n- name: b\n  securityContext: {runAsNonRoot: false}\n";
        with_object(yaml, |root| {
            let steps = [
                Step::Field("containers".into()),
                Step::Any,
                Step::Field("securityContext".into()),
                Step::Field("runAsNonRoot".into()),
            ];
            let found = locate(root, &steps);
            assert!(found.whole);
            assert_eq!(found.node.as_bool(), Some(false));
        });
    }

    #[test]
    fn a_missing_path_stops_at_the_deepest_node_there_is() {
        with_object("spec:\n  template:\n    spec: {}\n", |root| {
            let steps = [
                Step::Field("spec".into()),
                Step::Field("template".into()),
                Step::Field("spec".into()),
                Step::Field("securityContext".into()),
            ];
            let found = locate(root, &steps);
            assert!(!found.whole);
            assert!(found.node.is_map());
            assert_eq!(found.node.span().start, 28);
            assert_eq!(found.key.and_then(|k| k.key_text()), Some("spec"));
        });
    }

    /// Pieces of expressions, so that generated ones get past the parser and exercise the
    /// interpreter, the libraries and the blame walk.
    const PIECES: &[&str] = &[
        "object",
        ".spec",
        ".containers",
        ".replicas",
        ".?replicas",
        ".orValue(0)",
        ".all(c, ",
        ".exists(x, ",
        ".map(y, ",
        ".filter(z, ",
        "c",
        "x",
        "y",
        "z",
        ".image",
        ".size()",
        " + ",
        " - ",
        " * ",
        " / ",
        " % ",
        " == ",
        " != ",
        " < ",
        " && ",
        " || ",
        "!",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ":",
        ", ",
        "0",
        "1",
        "-1",
        "9223372036854775807",
        "1.5",
        "'a'",
        "'1Gi'",
        "'^a+$'",
        "null",
        "true",
        "has(",
        "quantity(",
        "int(",
        "string(",
        ".matches(",
        ".find(",
        ".isSorted()",
        ".sum()",
        ".min()",
        "cel.bind(v, ",
        "v",
        "ip(",
        "cidr(",
        "url(",
        "'10.0.0.0/8'",
        ".containsIP(",
        "format.dns1123Label()",
        ".validate(",
        ".split(','",
        "[1, 2, 3]",
        "{'k': 1}",
        "? ",
        " in ",
        ".compareTo(",
        ".add(",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 6000,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]
        /// Whatever a policy author writes compiles or fails to, and runs or fails to: never a
        /// panic (the parser and interpreter are a third party's, the paths and blame ours).
        #[test]
        fn any_expression_compiles_and_runs_without_panicking(
            picks in proptest::collection::vec(0..PIECES.len(), 1..14)
        ) {
            let source: String = picks.iter().map(|&i| PIECES[i]).collect();
            if let Ok(expression) = Expression::compile(&source) {
                with_object("spec:\n  replicas: 3\n  containers: [{name: a, image: x}]\n", |root| {
                    let mut bindings = Bindings::default();
                    bindings.set("object", value_of(root));
                    let _ = expression.run(&bindings);
                    let _ = expression.blame(&bindings, &[]);
                    let _ = expression.within_budget(10);
                });
            }
        }
    }
}
