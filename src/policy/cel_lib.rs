//! The CEL environment policy expressions run in: cel-rust's standard library with its strings,
//! lists and math extensions, and what the API server adds on top (k8s.io/apiserver/pkg/cel/library:
//! lists, regex, URLs, IP and CIDR, quantities, named formats; cel-go's `sets` and `cel.bind`).
//!
//! The values those libraries introduce (URLs, IPs, CIDRs, quantities, formats) are
//! `cel::objects::Value::Opaque`s: a program may return one, and `==` compares them by value.
//! cel-rust checks no types before running a program, so a call with arguments of the wrong types
//! is an evaluation error rather than a compile error.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use cel::common::ast::{CallExpr, ComprehensionExpr, Expr, IdedExpr, ListExpr, LiteralValue};
use cel::common::functions::Function;
use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelOptional, CelString,
    CelUInt, DYN_TYPE, INT_TYPE, Kind, LIST_TYPE, STRING_TYPE, Type,
};
use cel::common::value::{CowVal, Val};
use cel::objects::{Opaque, Value};
use cel::parser::{Macro, MacroExprHelper};
use cel::{DeclarationError, Env, ExecutionError, ParseError, extensions};
use regex::Regex;

use crate::k8s::validation;
use crate::model::quantity::Quantity;

/// The environment every policy expression is compiled and run with: CEL's standard library,
/// the strings, lists and math extensions, and the Kubernetes libraries.
pub fn kubernetes_env() -> Env {
    let mut env = Env::stdlib();
    // Declaring fails only on a duplicate overload, which would be a bug caught by the tests.
    declare_all(&mut env).expect("each overload of the Kubernetes environment is declared once");
    env
}

/// Whether `name` (as it appears in `cel::Program::references().functions()`, e.g. "size",
/// "isSorted", "math.@max", "_+_", "@not_strictly_false", "quantity") is a function this
/// environment declares. Operators and internal names (starting with `_` or `@`, or containing
/// ".@") count as declared.
///
/// A call on a namespace, `format.dns1123Label()` or `optional.of(x)`, is referenced by its last
/// segment (`dns1123Label`, `of`): those count as declared too, whatever they are called on.
pub fn is_declared(name: &str) -> bool {
    name.starts_with(['_', '@'])
        || name.contains(".@")
        || PREFIX_OPERATORS.contains(&name)
        || DECLARED.binary_search(&name).is_ok()
        || DECLARED.iter().any(|declared| {
            declared
                .rsplit_once('.')
                .is_some_and(|(_, last)| last == name)
        })
}

/// The unary operators, the only ones not named `_…`.
const PREFIX_OPERATORS: [&str; 2] = ["!_", "-_"];

/// Every function `kubernetes_env` declares, sorted. cel 0.15 cannot list an `Env`'s functions:
/// these are read off its registrations (src/common/types/*.rs, src/extensions/{strings,lists,
/// math}.rs), internal ones left out, followed by ours. The tests check each is callable.
const DECLARED: &[&str] = &[
    "add",
    "asApproximateFloat",
    "asInteger",
    "bool",
    "bytes",
    "charAt",
    "cidr",
    "compareTo",
    "contains",
    "containsCIDR",
    "containsIP",
    "distinct",
    "double",
    "duration",
    "dyn",
    "endsWith",
    "family",
    "find",
    "findAll",
    "flatten",
    "format",
    "format.byte",
    "format.date",
    "format.datetime",
    "format.dns1035Label",
    "format.dns1035LabelPrefix",
    "format.dns1123Label",
    "format.dns1123LabelPrefix",
    "format.dns1123Subdomain",
    "format.dns1123SubdomainPrefix",
    "format.labelValue",
    "format.named",
    "format.qualifiedName",
    "format.uri",
    "format.uuid",
    "getDate",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getEscapedPath",
    "getFullYear",
    "getHost",
    "getHostname",
    "getHours",
    "getMilliseconds",
    "getMinutes",
    "getMonth",
    "getPort",
    "getQuery",
    "getScheme",
    "getSeconds",
    "hasValue",
    "indexOf",
    "int",
    "ip",
    "ip.isCanonical",
    "isCIDR",
    "isGlobalUnicast",
    "isGreaterThan",
    "isIP",
    "isInteger",
    "isLessThan",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isLoopback",
    "isQuantity",
    "isSorted",
    "isURL",
    "isUnspecified",
    "join",
    "lastIndexOf",
    "lists.range",
    "lowerAscii",
    "masked",
    "matches",
    "math.abs",
    "math.bitAnd",
    "math.bitNot",
    "math.bitOr",
    "math.bitShiftLeft",
    "math.bitShiftRight",
    "math.bitXor",
    "math.ceil",
    "math.floor",
    "math.isFinite",
    "math.isInf",
    "math.isNaN",
    "math.round",
    "math.sign",
    "math.sqrt",
    "math.trunc",
    "max",
    "min",
    "optional.none",
    "optional.of",
    "optional.ofNonZeroValue",
    "or",
    "orValue",
    "prefixLength",
    "quantity",
    "replace",
    "reverse",
    "sets.contains",
    "sets.equivalent",
    "sets.intersects",
    "sign",
    "size",
    "slice",
    "sort",
    "split",
    "startsWith",
    "string",
    "strings.quote",
    "sub",
    "substring",
    "sum",
    "timestamp",
    "trim",
    "type",
    "uint",
    "upperAscii",
    "url",
    "validate",
    "value",
];

/// Declares everything on top of the standard library; returns the names of our own overloads.
fn declare_all(env: &mut Env) -> Result<Vec<&'static str>, DeclarationError> {
    env.add_extension(extensions::strings)?;
    env.add_extension(extensions::lists)?;
    env.add_extension(extensions::math)?;
    env.add_macro(Macro::receiver("bind", 3, bind_macro))?;
    env.add_macro(Macro::receiver("matches", 1, matches_macro))?;
    env.add_macro(Macro::global("matches", 2, matches_macro))?;
    env.add_macro(Macro::receiver("orValue", 1, or_value_macro))?;
    let mut registrar = Registrar {
        env,
        names: Vec::new(),
    };
    declare_lists(&mut registrar)?;
    declare_regex(&mut registrar)?;
    registrar.env.add_overload(
        OPTIONAL_PATH_OR,
        "optional_path_or_dyn_list_dyn",
        vec![DYN_TYPE, LIST_TYPE, DYN_TYPE],
        optional_path_or,
    )?;
    registrar.env.add_overload(
        CACHED_MATCHES,
        "cached_matches_string_string",
        vec![STRING_TYPE, STRING_TYPE],
        cached_matches,
    )?;
    declare_urls(&mut registrar)?;
    declare_ips(&mut registrar)?;
    declare_cidrs(&mut registrar)?;
    declare_quantities(&mut registrar)?;
    declare_formats(&mut registrar)?;
    declare_sets(&mut registrar)?;
    Ok(registrar.names)
}

/// Declares overloads, remembering their names so the tests can hold `DECLARED` to them.
struct Registrar<'e> {
    env: &'e mut Env,
    names: Vec<&'static str>,
}

impl Registrar<'_> {
    fn global(
        &mut self,
        name: &'static str,
        id: &str,
        args: Vec<Type>,
        op: Function,
    ) -> Result<(), DeclarationError> {
        self.names.push(name);
        self.env.add_overload(name, id, args, op)
    }

    fn member(
        &mut self,
        name: &'static str,
        id: &str,
        target: Type,
        args: Vec<Type>,
        op: Function,
    ) -> Result<(), DeclarationError> {
        self.names.push(name);
        self.env.add_member_overload(name, id, target, args, op)
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments and results

type Outcome<'b, 'v> = Result<CowVal<'b, 'v>, ExecutionError>;

/// The `N` arguments of an overload; cel-rust only calls one with as many as it declares.
fn take<'b, 'v, const N: usize>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<[CowVal<'b, 'v>; N], ExecutionError> {
    args.try_into()
        .map_err(|args: Vec<_>| ExecutionError::invalid_argument_count(N, args.len()))
}

fn unexpected_type(value: &dyn Val, want: &str) -> ExecutionError {
    ExecutionError::UnexpectedType {
        got: value.get_type().name().to_owned(),
        want: want.to_owned(),
    }
}

fn str_arg<'a>(value: &'a (dyn Val + '_)) -> Result<&'a str, ExecutionError> {
    value
        .downcast_ref::<CelString>()
        .map(CelString::inner)
        .ok_or_else(|| unexpected_type(value, "string"))
}

fn int_arg(value: &dyn Val) -> Result<i64, ExecutionError> {
    value
        .downcast_ref::<CelInt>()
        .map(|int| *int.inner())
        .ok_or_else(|| unexpected_type(value, "int"))
}

fn iterable<'b, 'v>(
    list: &'b (dyn Val + 'v),
) -> Result<&'b (dyn cel::common::traits::Iterable + 'v), ExecutionError> {
    list.as_iterable()
        .ok_or_else(|| unexpected_type(list, "list"))
}

fn boolean<'b, 'v>(value: bool) -> CowVal<'b, 'v> {
    CowVal::owned(CelBool::from(value))
}

fn int<'b, 'v>(value: i64) -> CowVal<'b, 'v> {
    CowVal::owned(CelInt::from(value))
}

fn string<'b, 'v>(value: String) -> CowVal<'b, 'v> {
    CowVal::owned(CelString::from(value))
}

fn string_list(items: impl IntoIterator<Item = String>) -> CelList<'static> {
    items
        .into_iter()
        .map(|item| Box::new(CelString::from(item)) as Box<dyn Val>)
        .collect::<Vec<_>>()
        .into()
}

fn ordering_int<'b, 'v>(ordering: Ordering) -> CowVal<'b, 'v> {
    int(match ordering {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    })
}

/// Our types travel as `Value::Opaque`, the only way cel-rust converts a value of an
/// application's own type back to a `Value` (so that a program may return one).
fn opaque<'b, 'v>(value: impl Opaque) -> Outcome<'b, 'v> {
    let boxed: Box<dyn Val> = Value::Opaque(Arc::new(value)).try_into()?;
    Ok(CowVal::Owned(boxed))
}

fn opaque_arg<T: Opaque + Clone>(value: &dyn Val, want: &str) -> Result<T, ExecutionError> {
    if value.get_type().kind() == Kind::Opaque
        && let Ok(Value::Opaque(inner)) = Value::try_from(value)
        && let Some(inner) = inner.downcast_ref::<T>()
    {
        return Ok(inner.clone());
    }
    Err(unexpected_type(value, want))
}

// ---------------------------------------------------------------------------------------------
// cel.bind

/// `cel.bind(name, init, result)`: `result` with `name` bound to `init`, expanded as cel-go does
/// into a comprehension over no elements whose accumulator is `name`.
fn bind_macro(
    helper: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<Option<IdedExpr>, ParseError> {
    // `x.bind(..)` on anything but `cel` is some other call, left as written.
    if !matches!(target.as_ref().map(|t| &t.expr), Some(Expr::Ident(name)) if name == "cel") {
        return Ok(None);
    }
    let call_id = target.as_ref().map_or(0, |t| t.id);
    let Ok([variable, init, result]) = <[IdedExpr; 3]>::try_from(std::mem::take(args)) else {
        return Err(helper.new_error(call_id, "cel.bind() takes three arguments"));
    };
    let Expr::Ident(name) = variable.expr else {
        return Err(helper.new_error(
            variable.id,
            "cel.bind() variable names must be simple identifiers",
        ));
    };
    let iter_range = helper.next_expr(Expr::List(ListExpr::new(Vec::new())));
    let loop_cond = helper.next_expr(Expr::Literal(LiteralValue::Boolean(false.into())));
    let loop_step = helper.next_expr(Expr::Ident(name.clone()));
    let bound = ComprehensionExpr {
        iter_range,
        iter_var: "#unused".to_owned(),
        iter_var2: None,
        accu_var: name,
        accu_init: init,
        loop_cond,
        loop_step,
        result,
    };
    Ok(Some(helper.next_expr(Expr::Comprehension(Box::new(bound)))))
}

/// The standard `matches` compiles its pattern on every call; a policy runs on thousands of
/// objects with one pattern. `s.matches(re)` and `matches(s, re)` are rewritten to an overload
/// with the same meaning that keeps compiled patterns.
const CACHED_MATCHES: &str = "@cachedMatches";

fn matches_macro(
    helper: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<Option<IdedExpr>, ParseError> {
    let mut all: Vec<IdedExpr> = target.take().into_iter().collect();
    all.append(args);
    let call = CallExpr {
        func_name: CACHED_MATCHES.to_owned(),
        target: None,
        args: all,
    };
    Ok(Some(helper.next_expr(Expr::Call(call))))
}

fn cached_matches<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [text, pattern] = take(args)?;
    let regex = compiled_regex("matches", str_arg(pattern.as_ref())?)?;
    Ok(CowVal::owned(CelBool::from(
        regex.is_match(str_arg(text.as_ref())?),
    )))
}

/// `x.?a.?b.orValue(d)`, the way policies read optional fields, makes the interpreter copy
/// each value it wraps in an optional (a container's whole `securityContext`, a pod's
/// `volumes`) only to unwrap it. A chain of optional field selections on a plain value ending
/// in `orValue` is rewritten to `@optionalPathOr(x, ['a', 'b'], d)`, which walks the keys by
/// reference: the same value, or `d` where a key is missing or a step is not a map.
pub(crate) const OPTIONAL_PATH_OR: &str = "@optionalPathOr";

fn or_value_macro(
    helper: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<Option<IdedExpr>, ParseError> {
    let Some(chain) = target.as_ref() else {
        return Ok(None);
    };
    // Keys from the last selection back to the first; the base is what the first applies to.
    let mut keys = Vec::new();
    let mut base = chain;
    while let Expr::Call(call) = &base.expr {
        if call.func_name != "_?._" || call.args.len() != 2 || call.target.is_some() {
            break;
        }
        let Expr::Literal(LiteralValue::String(key)) = &call.args[1].expr else {
            return Ok(None);
        };
        keys.push(key.clone());
        base = &call.args[0];
    }
    // Only a chain that starts at a plain value: an optional base (`a[?0].?b`) keeps its
    // meaning only as written.
    if keys.is_empty() || contains_optional(base) {
        return Ok(None);
    }
    let base = base.clone();
    keys.reverse();
    let keys: Vec<_> = keys
        .into_iter()
        .map(|k| helper.next_expr(Expr::Literal(LiteralValue::String(k))))
        .collect();
    let keys = helper.next_expr(Expr::List(ListExpr::new(keys)));
    let default = args.pop().expect("orValue is declared with one argument");
    target.take();
    Ok(Some(helper.next_expr(Expr::Call(CallExpr {
        func_name: OPTIONAL_PATH_OR.to_owned(),
        target: None,
        args: vec![base, keys, default],
    }))))
}

/// Whether an expression may produce an optional value (an optional selection or index, an
/// `optional.*` call): such a base is left to the interpreter.
fn contains_optional(expr: &IdedExpr) -> bool {
    match &expr.expr {
        Expr::Call(call) => {
            matches!(
                call.func_name.as_str(),
                "_?._" | "_[?_]" | "of" | "ofNonZeroValue" | "none"
            ) || call.target.as_deref().is_some_and(contains_optional)
                || call.args.iter().any(contains_optional)
        }
        Expr::Select(select) => contains_optional(&select.operand),
        Expr::Ident(name) => name == "optional",
        _ => false,
    }
}

fn optional_path_or<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [base, keys, default] = take(args)?;
    let keys: Vec<CowVal<'_, '_>> = {
        let mut out = Vec::new();
        let list = keys
            .as_ref()
            .as_iterable()
            .ok_or_else(|| unexpected_type(keys.as_ref(), "list"))?;
        let mut items = list.iter();
        while let Some(key) = items.next() {
            out.push(CowVal::Owned(key.clone_as_boxed()));
        }
        out
    };
    let mut current = base;
    for key in &keys {
        // A step that is not a map, or lacks the key, is where the optional chain is empty.
        if current.as_ref().get_type().kind() != Kind::Map {
            return Ok(default);
        }
        let next = match current {
            CowVal::Borrowed(value) => match value.as_indexer().map(|ix| ix.get(key.as_ref())) {
                Some(Ok(found)) => found,
                _ => return Ok(default),
            },
            CowVal::Owned(value) => match value.into_indexer().map(|ix| ix.steal(key.as_ref())) {
                Some(Ok(found)) => CowVal::Owned(found),
                _ => return Ok(default),
            },
        };
        current = next;
    }
    Ok(current)
}

// ---------------------------------------------------------------------------------------------
// Lists: isSorted, sum, min, max, indexOf, lastIndexOf

fn declare_lists(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.member(
        "isSorted",
        "list_is_sorted",
        LIST_TYPE,
        vec![],
        list_is_sorted,
    )?;
    r.member("sum", "list_sum", LIST_TYPE, vec![], list_sum)?;
    r.member("min", "list_min", LIST_TYPE, vec![], list_min)?;
    r.member("max", "list_max", LIST_TYPE, vec![], list_max)?;
    // The strings extension declares `indexOf` and `lastIndexOf` on strings; these are the
    // overloads on lists.
    r.member(
        "indexOf",
        "list_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        list_index_of,
    )?;
    r.member(
        "lastIndexOf",
        "list_last_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        list_last_index_of,
    )
}

fn compare(function: &str, a: &dyn Val, b: &dyn Val) -> Result<Ordering, ExecutionError> {
    a.as_comparer()
        .ok_or_else(|| {
            ExecutionError::function_error(function, "list elements must be comparable")
        })?
        .compare(b)
}

fn list_is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [list] = take(args)?;
    let mut items = iterable(list.as_ref())?.iter();
    let mut previous: Option<&dyn Val> = None;
    while let Some(item) = items.next() {
        if item.as_comparer().is_none() {
            return Err(ExecutionError::function_error(
                "isSorted",
                "list elements must be comparable",
            ));
        }
        if let Some(previous) = previous
            && compare("isSorted", previous, item)? == Ordering::Greater
        {
            return Ok(boolean(false));
        }
        previous = Some(item);
    }
    Ok(boolean(true))
}

/// The sum of ints, uints, doubles or durations, of the elements' type; 0 for an empty list.
fn list_sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [list] = take(args)?;
    let mut items = iterable(list.as_ref())?.iter();
    let mut total: Option<Box<dyn Val + 'v>> = None;
    while let Some(item) = items.next() {
        // Strings and lists add too, but the API server only sums numbers and durations.
        if !matches!(
            item.get_type().kind(),
            Kind::Int | Kind::UInt | Kind::Double | Kind::Duration
        ) {
            return Err(ExecutionError::function_error(
                "sum",
                format!(
                    "cannot sum elements of type {}: only numbers and durations",
                    item.get_type().name()
                ),
            ));
        }
        total = Some(match total {
            None => item.clone_as_boxed(),
            Some(sum) => sum
                .as_adder()
                .ok_or_else(|| unexpected_type(sum.as_ref(), "a number or duration"))?
                .add(item)?
                .into_owned(),
        });
    }
    Ok(match total {
        Some(total) => CowVal::Owned(total),
        None => int(0),
    })
}

fn list_min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [list] = take(args)?;
    extreme("min", Ordering::Less, list.as_ref())
}

fn list_max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [list] = take(args)?;
    extreme("max", Ordering::Greater, list.as_ref())
}

/// The least or greatest element, as `wanted` says; the first of equal ones.
fn extreme<'b, 'v>(function: &str, wanted: Ordering, list: &(dyn Val + 'v)) -> Outcome<'b, 'v> {
    let mut items = iterable(list)?.iter();
    let mut best: Option<&dyn Val> = None;
    while let Some(item) = items.next() {
        best = Some(match best {
            None if item.as_comparer().is_none() => {
                return Err(ExecutionError::function_error(
                    function,
                    "list elements must be comparable",
                ));
            }
            None => item,
            Some(best) if compare(function, item, best)? == wanted => item,
            Some(best) => best,
        });
    }
    best.map(|best| CowVal::Owned(best.clone_as_boxed()))
        .ok_or_else(|| {
            ExecutionError::function_error(function, format!("{function} called on empty list"))
        })
}

fn list_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [list, needle] = take(args)?;
    let mut items = iterable(list.as_ref())?.iter();
    let mut index = 0;
    while let Some(item) = items.next() {
        if item.equals(needle.as_ref()) {
            return Ok(int(index));
        }
        index += 1;
    }
    Ok(int(-1))
}

fn list_last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [list, needle] = take(args)?;
    let mut items = iterable(list.as_ref())?.iter();
    let (mut index, mut last) = (0, -1);
    while let Some(item) = items.next() {
        if item.equals(needle.as_ref()) {
            last = index;
        }
        index += 1;
    }
    Ok(int(last))
}

// ---------------------------------------------------------------------------------------------
// Regex: find, findAll

fn declare_regex(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.member(
        "find",
        "string_find_string",
        STRING_TYPE,
        vec![STRING_TYPE],
        find,
    )?;
    r.member(
        "findAll",
        "string_find_all_string",
        STRING_TYPE,
        vec![STRING_TYPE],
        find_all,
    )?;
    r.member(
        "findAll",
        "string_find_all_string_int",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        find_all,
    )
}

/// The patterns a thread compiled last: a policy is evaluated against many objects with the
/// same few patterns, and compiling one costs far more than matching it.
const REGEX_CACHE_CAPACITY: usize = 64;

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

fn compiled_regex(function: &str, pattern: &str) -> Result<Regex, ExecutionError> {
    if let Some(regex) = REGEX_CACHE.with_borrow(|cache| cache.get(pattern).cloned()) {
        return Ok(regex);
    }
    // The default size limits turn a pathological pattern into an error, never a panic, and
    // matching is linear in the input.
    let regex = Regex::new(pattern)
        .map_err(|e| ExecutionError::function_error(function, format!("Illegal regex: {e}")))?;
    REGEX_CACHE.with_borrow_mut(|cache| {
        if cache.len() >= REGEX_CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), regex.clone());
    });
    Ok(regex)
}

/// The first match, or `''`.
fn find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [text, pattern] = take(args)?;
    let regex = compiled_regex("find", str_arg(pattern.as_ref())?)?;
    let text = str_arg(text.as_ref())?;
    Ok(string(
        regex
            .find(text)
            .map_or_else(String::new, |m| m.as_str().to_owned()),
    ))
}

/// The successive non-overlapping matches, at most `limit` of them when a non-negative limit
/// is given (Go's `FindAllString`).
fn find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let (text, pattern, limit) = match <[CowVal<'b, 'v>; 3]>::try_from(args) {
        Ok([text, pattern, limit]) => (text, pattern, Some(limit)),
        Err(args) => {
            let [text, pattern] = take(args)?;
            (text, pattern, None)
        }
    };
    let limit = match limit {
        Some(limit) => usize::try_from(int_arg(limit.as_ref())?).unwrap_or(usize::MAX),
        None => usize::MAX,
    };
    let regex = compiled_regex("findAll", str_arg(pattern.as_ref())?)?;
    let text = str_arg(text.as_ref())?;
    Ok(CowVal::owned(string_list(
        regex
            .find_iter(text)
            .take(limit)
            .map(|m| m.as_str().to_owned()),
    )))
}

// ---------------------------------------------------------------------------------------------
// URLs: url, isURL, getScheme, getHost, getHostname, getPort, getEscapedPath, getQuery
//
// The API server validates with Go's `url.ParseRequestURI` (an absolute URI or an absolute
// path) and reads the parts off `url.Parse`; the WHATWG parsing of the `url` crate would accept
// and normalize differently, so Go's rules are followed here.

const URL_TYPE_NAME: &str = "kubernetes.URL";
const URL_TYPE: Type = Type::simple_type(Kind::Opaque, URL_TYPE_NAME);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Url {
    scheme: String,
    /// The rest of a URI whose scheme is followed by no `/`, such as `mailto:a@b.c`.
    opaque: String,
    userinfo: Option<String>,
    /// Percent-decoded, as Go keeps it.
    host: String,
    /// As written: `getEscapedPath` re-escapes only a path that is not validly escaped.
    path: String,
    raw_query: String,
    fragment: Option<String>,
}

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        URL_TYPE_NAME
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UrlSyntax {
    /// `url.ParseRequestURI`: an absolute URI or an absolute path, a `#` being no fragment.
    RequestUri,
    /// `url.Parse`, its fragment already cut off.
    Reference,
}

/// The parts of a URL whose `%` escapes Go checks, each with its own rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UrlPart {
    Path,
    UserPassword,
    Fragment,
    Host,
    Zone,
    QueryComponent,
}

/// Go's `url.Error` text, which `format.uri()` reports as is.
fn go_url_error(raw: &str, error: &str) -> String {
    format!("parse {raw:?}: {error}")
}

/// `url(raw)`: validated as a request URI, then parsed as a reference, as the API server does.
fn parse_kubernetes_url(raw: &str) -> Result<Url, String> {
    parse_url(raw, UrlSyntax::RequestUri).map_err(|e| go_url_error(raw, &e))?;
    let (reference, fragment) = match raw.split_once('#') {
        Some((reference, fragment)) => (reference, Some(fragment)),
        None => (raw, None),
    };
    let mut url = parse_url(reference, UrlSyntax::Reference).map_err(|e| go_url_error(raw, &e))?;
    if let Some(fragment) = fragment {
        unescape(fragment, UrlPart::Fragment).map_err(|e| go_url_error(raw, &e))?;
        url.fragment = Some(fragment.to_owned());
    }
    Ok(url)
}

/// Go's `url.parse`, for a request URI or a reference without its fragment.
fn parse_url(raw: &str, syntax: UrlSyntax) -> Result<Url, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_owned());
    }
    if raw.is_empty() && syntax == UrlSyntax::RequestUri {
        return Err("empty url".to_owned());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = raw.to_owned();
        return Ok(url);
    }
    let (scheme, mut rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.bytes().filter(|&b| b == b'?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((before, query)) = rest.split_once('?') {
        rest = before;
        url.raw_query = query.to_owned();
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_owned();
            return Ok(url);
        }
        if syntax == UrlSyntax::RequestUri {
            return Err("invalid URI for request".to_owned());
        }
        let first_segment = rest.split('/').next().unwrap_or_default();
        if first_segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".to_owned());
        }
    }
    let has_authority = (!url.scheme.is_empty()
        || (syntax == UrlSyntax::Reference && !rest.starts_with("///")))
        && rest.starts_with("//");
    if has_authority {
        let after = &rest[2..];
        let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
        let (userinfo, host) = parse_authority(authority)?;
        url.userinfo = userinfo;
        url.host = host;
        rest = path;
    }
    unescape(rest, UrlPart::Path)?;
    url.path = rest.to_owned();
    Ok(url)
}

/// The scheme and what follows its `:`; no scheme when `raw` does not start with one.
fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".to_owned()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<(Option<String>, String), String> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    let host = parse_host(host)?;
    if let Some(userinfo) = userinfo {
        if !userinfo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c))
        {
            return Err("net/url: invalid userinfo".to_owned());
        }
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        unescape(user, UrlPart::UserPassword)?;
        unescape(password, UrlPart::UserPassword)?;
    }
    Ok((userinfo.map(str::to_owned), host))
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let close = host.rfind(']').ok_or("missing ']' in host")?;
        let port = &host[close + 1..];
        if !is_optional_port(port) {
            return Err(format!("invalid port {port:?} after host"));
        }
        let literal = &host[1..close];
        let (address, zone) = literal.split_at(literal.find("%25").unwrap_or(literal.len()));
        // Only an IPv6 address may be bracketed (Go rejects anything else since 1.25.2).
        if address.parse::<std::net::Ipv6Addr>().is_err() {
            return Err("invalid IP-literal".to_owned());
        }
        let mut decoded = unescape(&host[..1 + address.len()], UrlPart::Host)?;
        decoded.extend(unescape(zone, UrlPart::Zone)?);
        decoded.extend(unescape(&host[close..], UrlPart::Host)?);
        return Ok(String::from_utf8_lossy(&decoded).into_owned());
    }
    if let Some(colon) = host.rfind(':') {
        let port = &host[colon..];
        if !is_optional_port(port) {
            return Err(format!("invalid port {port:?} after host"));
        }
    }
    Ok(String::from_utf8_lossy(&unescape(host, UrlPart::Host)?).into_owned())
}

/// Empty, or `:` and digits, possibly none.
fn is_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `shouldEscape(c, encodeHost)`.
fn is_escaped_in_host(b: u8) -> bool {
    !(b.is_ascii_alphanumeric() || b"!$&'()*+,;=:[]<>\"-_.~".contains(&b))
}

/// Go's `shouldEscape(c, encodePath)`.
fn is_escaped_in_path(b: u8) -> bool {
    !(b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b))
}

/// Go's `unescape`: the decoded bytes, or why `text` is no valid `part` of a URL.
fn unescape(text: &str, part: UrlPart) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let escape = &bytes[i..bytes.len().min(i + 3)];
                let invalid =
                    || format!("invalid URL escape {:?}", String::from_utf8_lossy(escape));
                let [_, high, low] = *escape else {
                    return Err(invalid());
                };
                let (Some(high), Some(low)) = (hex_value(high), hex_value(low)) else {
                    return Err(invalid());
                };
                let value = (high << 4) | low;
                let is_percent = escape == b"%25";
                // In a host, only non-ASCII bytes may be escaped; a zone may escape more.
                let refused = match part {
                    UrlPart::Host => high < 8 && !is_percent,
                    UrlPart::Zone => !is_percent && value != b' ' && is_escaped_in_host(value),
                    _ => false,
                };
                if refused {
                    return Err(invalid());
                }
                decoded.push(value);
                i += 3;
            }
            b'+' if part == UrlPart::QueryComponent => {
                decoded.push(b' ');
                i += 1;
            }
            b => {
                if matches!(part, UrlPart::Host | UrlPart::Zone)
                    && b < 0x80
                    && is_escaped_in_host(b)
                {
                    return Err(format!("invalid character {:?} in host name", b as char));
                }
                decoded.push(b);
                i += 1;
            }
        }
    }
    Ok(decoded)
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Go's `URL.EscapedPath`: the path as written when validly escaped, else re-escaped.
fn escaped_path(path: &str) -> String {
    let validly_escaped = path
        .bytes()
        .all(|b| b"!$&'()*+,;=:@[]%".contains(&b) || !is_escaped_in_path(b));
    if validly_escaped {
        return path.to_owned();
    }
    let mut escaped = String::with_capacity(path.len());
    for b in unescape(path, UrlPart::Path).unwrap_or_default() {
        if is_escaped_in_path(b) {
            escaped.push_str(&format!("%{b:02X}"));
        } else {
            escaped.push(b as char);
        }
    }
    escaped
}

/// Go's `url.ParseQuery`, malformed pairs skipped as `URL.Query` does.
fn query_values(raw_query: &str) -> HashMap<String, Vec<String>> {
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    for pair in raw_query.split('&') {
        if pair.is_empty() || pair.contains(';') {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Ok(key), Ok(value)) = (
            unescape(key, UrlPart::QueryComponent),
            unescape(value, UrlPart::QueryComponent),
        ) else {
            continue;
        };
        values
            .entry(String::from_utf8_lossy(&key).into_owned())
            .or_default()
            .push(String::from_utf8_lossy(&value).into_owned());
    }
    values
}

/// Go's `splitHostPort`: a trailing `:digits` is the port, brackets are dropped.
fn split_host_port(host: &str) -> (&str, &str) {
    let (mut hostname, mut port) = (host, "");
    if let Some(colon) = host.rfind(':')
        && is_optional_port(&host[colon..])
    {
        (hostname, port) = (&host[..colon], &host[colon + 1..]);
    }
    if let Some(unbracketed) = hostname.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        hostname = unbracketed;
    }
    (hostname, port)
}

fn declare_urls(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.global("url", "string_to_url", vec![STRING_TYPE], string_to_url)?;
    r.global("isURL", "is_url_string", vec![STRING_TYPE], is_url)?;
    r.member("getScheme", "url_get_scheme", URL_TYPE, vec![], url_scheme)?;
    r.member("getHost", "url_get_host", URL_TYPE, vec![], url_host)?;
    r.member(
        "getHostname",
        "url_get_hostname",
        URL_TYPE,
        vec![],
        url_hostname,
    )?;
    r.member("getPort", "url_get_port", URL_TYPE, vec![], url_port)?;
    r.member(
        "getEscapedPath",
        "url_get_escaped_path",
        URL_TYPE,
        vec![],
        url_escaped_path,
    )?;
    r.member("getQuery", "url_get_query", URL_TYPE, vec![], url_query)
}

fn string_to_url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [raw] = take(args)?;
    let url = parse_kubernetes_url(str_arg(raw.as_ref())?).map_err(|e| {
        ExecutionError::function_error(
            "url",
            format!("URL parse error during conversion from string: {e}"),
        )
    })?;
    opaque(url)
}

fn is_url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [raw] = take(args)?;
    Ok(boolean(
        parse_url(str_arg(raw.as_ref())?, UrlSyntax::RequestUri).is_ok(),
    ))
}

fn url_arg(args: Vec<CowVal<'_, '_>>) -> Result<Url, ExecutionError> {
    let [url] = take(args)?;
    opaque_arg(url.as_ref(), URL_TYPE_NAME)
}

fn url_scheme<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(string(url_arg(args)?.scheme))
}

fn url_host<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(string(url_arg(args)?.host))
}

fn url_hostname<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let url = url_arg(args)?;
    Ok(string(split_host_port(&url.host).0.to_owned()))
}

fn url_port<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let url = url_arg(args)?;
    Ok(string(split_host_port(&url.host).1.to_owned()))
}

fn url_escaped_path<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(string(escaped_path(&url_arg(args)?.path)))
}

fn url_query<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let url = url_arg(args)?;
    let entries: HashMap<CelMapKey, Box<dyn Val>> = query_values(&url.raw_query)
        .into_iter()
        .map(|(key, values)| {
            (
                CelMapKey::from(key),
                Box::new(string_list(values)) as Box<dyn Val>,
            )
        })
        .collect();
    Ok(CowVal::owned(CelMap::from(entries)))
}

// ---------------------------------------------------------------------------------------------
// IPs: ip, isIP, ip.isCanonical, string(ip), family, isUnspecified, isLoopback,
// isLinkLocalMulticast, isLinkLocalUnicast, isGlobalUnicast
//
// Go's `netip` and std's parsers agree: no leading zeros in IPv4 octets, no zones; the API
// server also refuses IPv4-mapped IPv6 addresses.

const IP_TYPE_NAME: &str = "net.IP";
const IP_TYPE: Type = Type::simple_type(Kind::Opaque, IP_TYPE_NAME);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ip(IpAddr);

impl Opaque for Ip {
    fn runtime_type_name(&self) -> &str {
        IP_TYPE_NAME
    }
}

fn parse_ip(raw: &str) -> Result<IpAddr, String> {
    let address = match raw.parse::<IpAddr>() {
        Ok(address) => address,
        Err(_)
            if raw
                .split_once('%')
                .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok()) =>
        {
            return Err(format!("IP address {raw:?} with zone value is not allowed"));
        }
        Err(e) => {
            return Err(format!(
                "IP Address {raw:?} parse error during conversion from string: {e}"
            ));
        }
    };
    if let IpAddr::V6(v6) = address
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!("IPv4-mapped IPv6 address {raw:?} is not allowed"));
    }
    Ok(address)
}

fn declare_ips(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.global("ip", "string_to_ip", vec![STRING_TYPE], string_to_ip)?;
    r.global("isIP", "is_ip", vec![STRING_TYPE], is_ip)?;
    r.global(
        "ip.isCanonical",
        "ip_is_canonical",
        vec![STRING_TYPE],
        ip_is_canonical,
    )?;
    r.global("string", "ip_to_string", vec![IP_TYPE], ip_to_string)?;
    r.member("family", "ip_family", IP_TYPE, vec![], ip_family)?;
    r.member(
        "isUnspecified",
        "ip_is_unspecified",
        IP_TYPE,
        vec![],
        ip_is_unspecified,
    )?;
    r.member(
        "isLoopback",
        "ip_is_loopback",
        IP_TYPE,
        vec![],
        ip_is_loopback,
    )?;
    r.member(
        "isLinkLocalMulticast",
        "ip_is_link_local_multicast",
        IP_TYPE,
        vec![],
        ip_is_link_local_multicast,
    )?;
    r.member(
        "isLinkLocalUnicast",
        "ip_is_link_local_unicast",
        IP_TYPE,
        vec![],
        ip_is_link_local_unicast,
    )?;
    r.member(
        "isGlobalUnicast",
        "ip_is_global_unicast",
        IP_TYPE,
        vec![],
        ip_is_global_unicast,
    )
}

fn ip_error(function: &str, error: String) -> ExecutionError {
    ExecutionError::function_error(function, error)
}

fn string_to_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [raw] = take(args)?;
    opaque(Ip(
        parse_ip(str_arg(raw.as_ref())?).map_err(|e| ip_error("ip", e))?
    ))
}

fn is_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [raw] = take(args)?;
    Ok(boolean(parse_ip(str_arg(raw.as_ref())?).is_ok()))
}

/// Whether the address is written as `string(ip(raw))` would write it: lowercase, zeros
/// compressed as RFC 5952 says.
fn ip_is_canonical<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [raw] = take(args)?;
    let raw = str_arg(raw.as_ref())?;
    let address = parse_ip(raw).map_err(|e| ip_error("ip.isCanonical", e))?;
    Ok(boolean(address.to_string() == raw))
}

fn ip_arg(args: Vec<CowVal<'_, '_>>) -> Result<IpAddr, ExecutionError> {
    let [ip] = take(args)?;
    opaque_arg::<Ip>(ip.as_ref(), IP_TYPE_NAME).map(|ip| ip.0)
}

fn ip_to_string<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(string(ip_arg(args)?.to_string()))
}

fn ip_family<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(int(match ip_arg(args)? {
        IpAddr::V4(_) => 4,
        IpAddr::V6(_) => 6,
    }))
}

fn ip_is_unspecified<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(boolean(ip_arg(args)?.is_unspecified()))
}

fn ip_is_loopback<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(boolean(ip_arg(args)?.is_loopback()))
}

fn ip_is_link_local_multicast<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(boolean(is_link_local_multicast(ip_arg(args)?)))
}

fn ip_is_link_local_unicast<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(boolean(is_link_local_unicast(ip_arg(args)?)))
}

fn ip_is_global_unicast<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(boolean(is_global_unicast(ip_arg(args)?)))
}

/// Go's `netip.Addr.IsLinkLocalMulticast`: 224.0.0.0/24, or ff02::/16 with any flags.
fn is_link_local_multicast(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

/// 169.254.0.0/16 or fe80::/10.
fn is_link_local_unicast(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// Go's `netip.Addr.IsGlobalUnicast`, which counts private and unique local addresses in.
fn is_global_unicast(address: IpAddr) -> bool {
    let excluded = match address {
        IpAddr::V4(v4) => v4.is_broadcast() || v4.is_multicast(),
        IpAddr::V6(v6) => v6.is_multicast(),
    };
    !excluded
        && !address.is_unspecified()
        && !address.is_loopback()
        && !is_link_local_unicast(address)
}

// ---------------------------------------------------------------------------------------------
// CIDRs: cidr, isCIDR, string(cidr), containsIP, containsCIDR, ip, masked, prefixLength

const CIDR_TYPE_NAME: &str = "net.CIDR";
const CIDR_TYPE: Type = Type::simple_type(Kind::Opaque, CIDR_TYPE_NAME);

/// A prefix as written: host bits may be set (`cidr('10.0.0.1/8').ip()` is `10.0.0.1`), and two
/// CIDRs are equal only if their addresses are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cidr {
    address: IpAddr,
    prefix_length: u8,
}

impl Opaque for Cidr {
    fn runtime_type_name(&self) -> &str {
        CIDR_TYPE_NAME
    }
}

impl Cidr {
    fn masked(self) -> Cidr {
        Cidr {
            address: mask(self.address, self.prefix_length),
            ..self
        }
    }

    fn contains_ip(self, address: IpAddr) -> bool {
        address.is_ipv4() == self.address.is_ipv4()
            && mask(address, self.prefix_length) == mask(self.address, self.prefix_length)
    }

    fn contains_cidr(self, other: Cidr) -> bool {
        other.prefix_length >= self.prefix_length && self.contains_ip(other.address)
    }
}

/// `address` with the bits after the first `prefix_length` cleared.
fn mask(address: IpAddr, prefix_length: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4)
                & u32::MAX
                    .checked_shl(32 - u32::from(prefix_length.min(32)))
                    .unwrap_or(0);
            IpAddr::from(bits.to_be_bytes())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6)
                & u128::MAX
                    .checked_shl(128 - u32::from(prefix_length.min(128)))
                    .unwrap_or(0);
            IpAddr::from(bits.to_be_bytes())
        }
    }
}

/// Go's `netip.ParsePrefix`, IPv4-mapped addresses refused as the API server does.
fn parse_cidr(raw: &str) -> Result<Cidr, String> {
    let failure = |reason: &str| {
        format!(
            "network address parse error during conversion from string: netip.ParsePrefix({raw:?}): {reason}"
        )
    };
    let (address, bits) = raw.rsplit_once('/').ok_or_else(|| failure("no '/'"))?;
    if address.contains('%') {
        return Err(failure("IPv6 zones cannot be present in a prefix"));
    }
    let address = address
        .parse::<IpAddr>()
        .map_err(|e| failure(&format!("ParseAddr({address:?}): {e}")))?;
    // No sign and no leading zero, as Go's parser.
    let well_formed = !bits.is_empty()
        && bits.len() <= 3
        && bits.bytes().all(|b| b.is_ascii_digit())
        && (bits.len() == 1 || !bits.starts_with('0'));
    let prefix_length: u8 = well_formed
        .then(|| bits.parse().ok())
        .flatten()
        .ok_or_else(|| failure(&format!("bad bits after slash: {bits:?}")))?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    if prefix_length > max {
        return Err(failure("prefix length out of range"));
    }
    if let IpAddr::V6(v6) = address
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!("IPv4-mapped IPv6 address {raw:?} is not allowed"));
    }
    Ok(Cidr {
        address,
        prefix_length,
    })
}

fn declare_cidrs(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.global("cidr", "string_to_cidr", vec![STRING_TYPE], string_to_cidr)?;
    r.global("isCIDR", "is_cidr", vec![STRING_TYPE], is_cidr)?;
    r.global("string", "cidr_to_string", vec![CIDR_TYPE], cidr_to_string)?;
    r.member(
        "containsIP",
        "cidr_contains_ip_string",
        CIDR_TYPE,
        vec![STRING_TYPE],
        cidr_contains_ip,
    )?;
    r.member(
        "containsIP",
        "cidr_contains_ip_ip",
        CIDR_TYPE,
        vec![IP_TYPE],
        cidr_contains_ip,
    )?;
    r.member(
        "containsCIDR",
        "cidr_contains_cidr_string",
        CIDR_TYPE,
        vec![STRING_TYPE],
        cidr_contains_cidr,
    )?;
    r.member(
        "containsCIDR",
        "cidr_contains_cidr",
        CIDR_TYPE,
        vec![CIDR_TYPE],
        cidr_contains_cidr,
    )?;
    r.member("ip", "cidr_ip", CIDR_TYPE, vec![], cidr_ip)?;
    r.member("masked", "cidr_masked", CIDR_TYPE, vec![], cidr_masked)?;
    r.member(
        "prefixLength",
        "cidr_prefix_length",
        CIDR_TYPE,
        vec![],
        cidr_prefix_length,
    )
}

fn cidr_value(function: &str, value: &dyn Val) -> Result<Cidr, ExecutionError> {
    match value.downcast_ref::<CelString>() {
        Some(raw) => {
            parse_cidr(raw.inner()).map_err(|e| ExecutionError::function_error(function, e))
        }
        None => opaque_arg(value, CIDR_TYPE_NAME),
    }
}

fn string_to_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [raw] = take(args)?;
    opaque(cidr_value("cidr", raw.as_ref())?)
}

fn is_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [raw] = take(args)?;
    Ok(boolean(parse_cidr(str_arg(raw.as_ref())?).is_ok()))
}

fn cidr_arg(args: Vec<CowVal<'_, '_>>) -> Result<Cidr, ExecutionError> {
    let [cidr] = take(args)?;
    opaque_arg(cidr.as_ref(), CIDR_TYPE_NAME)
}

fn cidr_to_string<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let cidr = cidr_arg(args)?;
    Ok(string(format!("{}/{}", cidr.address, cidr.prefix_length)))
}

/// `containsIP(ip)` or `containsIP(string)`.
fn cidr_contains_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [cidr, address] = take(args)?;
    let cidr: Cidr = opaque_arg(cidr.as_ref(), CIDR_TYPE_NAME)?;
    let address = match address.downcast_ref::<CelString>() {
        Some(raw) => parse_ip(raw.inner()).map_err(|e| ip_error("containsIP", e))?,
        None => opaque_arg::<Ip>(address.as_ref(), IP_TYPE_NAME)?.0,
    };
    Ok(boolean(cidr.contains_ip(address)))
}

/// `containsCIDR(cidr)` or `containsCIDR(string)`.
fn cidr_contains_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [cidr, other] = take(args)?;
    let cidr: Cidr = opaque_arg(cidr.as_ref(), CIDR_TYPE_NAME)?;
    let other = cidr_value("containsCIDR", other.as_ref())?;
    Ok(boolean(cidr.contains_cidr(other)))
}

fn cidr_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    opaque(Ip(cidr_arg(args)?.address))
}

fn cidr_masked<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    opaque(cidr_arg(args)?.masked())
}

fn cidr_prefix_length<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(int(i64::from(cidr_arg(args)?.prefix_length)))
}

// ---------------------------------------------------------------------------------------------
// Quantities: quantity, isQuantity, isInteger, asInteger, asApproximateFloat, sign, add, sub,
// isGreaterThan, isLessThan, compareTo
//
// A quantity is the model's exact `Quantity`, a whole number of nano-units within i128: the API
// server's are unbounded decimals, so a quantity beyond ±1.7e29 units is refused here.

const QUANTITY_TYPE_NAME: &str = "kubernetes.Quantity";
const QUANTITY_TYPE: Type = Type::simple_type(Kind::Opaque, QUANTITY_TYPE_NAME);
const NANOS_PER_UNIT: i128 = 1_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct QuantityValue(Quantity);

impl Opaque for QuantityValue {
    fn runtime_type_name(&self) -> &str {
        QUANTITY_TYPE_NAME
    }
}

fn parse_quantity(text: &str) -> Result<Quantity, String> {
    // `Quantity::parse` trims whitespace, which the API server refuses.
    if text.trim() == text
        && let Some(quantity) = Quantity::parse(text)
    {
        return Ok(quantity);
    }
    Err(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            .to_owned(),
    )
}

/// `None` beyond what a quantity holds, so arithmetic overflow is an error, never a panic.
fn quantity_from_nanos(nanos: i128) -> Option<Quantity> {
    (nanos != i128::MIN).then(|| Quantity::from_nanos(nanos))
}

fn nanos_of(quantity: Quantity) -> i128 {
    quantity.nanos()
}

/// Whether the quantity is a whole number within int64 (Go's `Quantity.AsInt64` succeeding).
fn is_int64(quantity: Quantity) -> bool {
    let bound = |units: i64| quantity_from_nanos(i128::from(units) * NANOS_PER_UNIT);
    quantity.is_integer()
        && bound(i64::MIN).is_some_and(|min| quantity >= min)
        && bound(i64::MAX).is_some_and(|max| quantity <= max)
}

fn quantity_as_i64(quantity: Quantity) -> Option<i64> {
    if !is_int64(quantity) {
        return None;
    }
    i64::try_from(nanos_of(quantity) / NANOS_PER_UNIT).ok()
}

fn declare_quantities(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.global(
        "quantity",
        "string_to_quantity",
        vec![STRING_TYPE],
        string_to_quantity,
    )?;
    r.global(
        "isQuantity",
        "is_quantity_string",
        vec![STRING_TYPE],
        is_quantity,
    )?;
    // The API server declares `sign(q)` but documents `q.sign()`: both work.
    r.global("sign", "quantity_sign", vec![QUANTITY_TYPE], quantity_sign)?;
    r.member(
        "sign",
        "quantity_sign_member",
        QUANTITY_TYPE,
        vec![],
        quantity_sign,
    )?;
    r.member(
        "isInteger",
        "quantity_is_integer",
        QUANTITY_TYPE,
        vec![],
        quantity_is_integer,
    )?;
    r.member(
        "asInteger",
        "quantity_get_int",
        QUANTITY_TYPE,
        vec![],
        quantity_as_integer,
    )?;
    r.member(
        "asApproximateFloat",
        "quantity_get_float",
        QUANTITY_TYPE,
        vec![],
        quantity_as_float,
    )?;
    r.member(
        "add",
        "quantity_add",
        QUANTITY_TYPE,
        vec![QUANTITY_TYPE],
        quantity_add,
    )?;
    r.member(
        "add",
        "quantity_add_int",
        QUANTITY_TYPE,
        vec![INT_TYPE],
        quantity_add,
    )?;
    r.member(
        "sub",
        "quantity_sub",
        QUANTITY_TYPE,
        vec![QUANTITY_TYPE],
        quantity_sub,
    )?;
    r.member(
        "sub",
        "quantity_sub_int",
        QUANTITY_TYPE,
        vec![INT_TYPE],
        quantity_sub,
    )?;
    r.member(
        "isGreaterThan",
        "quantity_is_greater_than",
        QUANTITY_TYPE,
        vec![QUANTITY_TYPE],
        quantity_is_greater_than,
    )?;
    r.member(
        "isLessThan",
        "quantity_is_less_than",
        QUANTITY_TYPE,
        vec![QUANTITY_TYPE],
        quantity_is_less_than,
    )?;
    r.member(
        "compareTo",
        "quantity_compare_to",
        QUANTITY_TYPE,
        vec![QUANTITY_TYPE],
        quantity_compare_to,
    )
}

fn quantity_arg(value: &dyn Val) -> Result<Quantity, ExecutionError> {
    opaque_arg::<QuantityValue>(value, QUANTITY_TYPE_NAME).map(|q| q.0)
}

fn one_quantity(args: Vec<CowVal<'_, '_>>) -> Result<Quantity, ExecutionError> {
    let [quantity] = take(args)?;
    quantity_arg(quantity.as_ref())
}

fn two_quantities(args: Vec<CowVal<'_, '_>>) -> Result<(Quantity, Quantity), ExecutionError> {
    let [a, b] = take(args)?;
    Ok((quantity_arg(a.as_ref())?, quantity_arg(b.as_ref())?))
}

fn string_to_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [text] = take(args)?;
    let quantity = parse_quantity(str_arg(text.as_ref())?)
        .map_err(|e| ExecutionError::function_error("quantity", e))?;
    opaque(QuantityValue(quantity))
}

fn is_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [text] = take(args)?;
    Ok(boolean(parse_quantity(str_arg(text.as_ref())?).is_ok()))
}

fn quantity_sign<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let quantity = one_quantity(args)?;
    Ok(int(if quantity.is_negative() {
        -1
    } else if quantity.is_zero() {
        0
    } else {
        1
    }))
}

fn quantity_is_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    Ok(boolean(is_int64(one_quantity(args)?)))
}

fn quantity_as_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    quantity_as_i64(one_quantity(args)?)
        .map(int)
        .ok_or_else(|| {
            ExecutionError::function_error("asInteger", "cannot convert value to integer")
        })
}

fn quantity_as_float<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let nanos = nanos_of(one_quantity(args)?);
    Ok(CowVal::owned(CelDouble::from(
        nanos as f64 / NANOS_PER_UNIT as f64,
    )))
}

/// The nano-units of a quantity, or of an int counted in units.
fn quantity_or_int_nanos(value: &dyn Val) -> Result<i128, ExecutionError> {
    match value.downcast_ref::<CelInt>() {
        Some(units) => Ok(i128::from(*units.inner()) * NANOS_PER_UNIT),
        None => quantity_arg(value).map(nanos_of),
    }
}

fn quantity_arithmetic<'b, 'v>(
    function: &str,
    args: Vec<CowVal<'b, 'v>>,
    operation: fn(i128, i128) -> Option<i128>,
) -> Outcome<'b, 'v> {
    let [a, b] = take(args)?;
    let a = nanos_of(quantity_arg(a.as_ref())?);
    let b = quantity_or_int_nanos(b.as_ref())?;
    let result = operation(a, b)
        .and_then(quantity_from_nanos)
        .ok_or_else(|| ExecutionError::function_error(function, "quantity overflow"))?;
    opaque(QuantityValue(result))
}

fn quantity_add<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    quantity_arithmetic("add", args, i128::checked_add)
}

fn quantity_sub<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    quantity_arithmetic("sub", args, i128::checked_sub)
}

fn quantity_is_greater_than<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let (a, b) = two_quantities(args)?;
    Ok(boolean(a > b))
}

fn quantity_is_less_than<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let (a, b) = two_quantities(args)?;
    Ok(boolean(a < b))
}

fn quantity_compare_to<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let (a, b) = two_quantities(args)?;
    Ok(ordering_int(a.cmp(&b)))
}

// ---------------------------------------------------------------------------------------------
// Formats: format.named, format.<name>(), Format.validate

const FORMAT_TYPE_NAME: &str = "kubernetes.NamedFormat";
const FORMAT_TYPE: Type = Type::simple_type(Kind::Opaque, FORMAT_TYPE_NAME);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NamedFormat {
    Dns1123Label,
    Dns1123Subdomain,
    Dns1035Label,
    QualifiedName,
    Dns1123LabelPrefix,
    Dns1123SubdomainPrefix,
    Dns1035LabelPrefix,
    LabelValue,
    Uri,
    Uuid,
    Byte,
    Date,
    DateTime,
}

impl Opaque for NamedFormat {
    fn runtime_type_name(&self) -> &str {
        FORMAT_TYPE_NAME
    }
}

impl NamedFormat {
    const ALL: [NamedFormat; 13] = [
        NamedFormat::Dns1123Label,
        NamedFormat::Dns1123Subdomain,
        NamedFormat::Dns1035Label,
        NamedFormat::QualifiedName,
        NamedFormat::Dns1123LabelPrefix,
        NamedFormat::Dns1123SubdomainPrefix,
        NamedFormat::Dns1035LabelPrefix,
        NamedFormat::LabelValue,
        NamedFormat::Uri,
        NamedFormat::Uuid,
        NamedFormat::Byte,
        NamedFormat::Date,
        NamedFormat::DateTime,
    ];

    /// The function returning this format; `format.named` takes what follows `format.`.
    fn function_name(self) -> &'static str {
        match self {
            NamedFormat::Dns1123Label => "format.dns1123Label",
            NamedFormat::Dns1123Subdomain => "format.dns1123Subdomain",
            NamedFormat::Dns1035Label => "format.dns1035Label",
            NamedFormat::QualifiedName => "format.qualifiedName",
            NamedFormat::Dns1123LabelPrefix => "format.dns1123LabelPrefix",
            NamedFormat::Dns1123SubdomainPrefix => "format.dns1123SubdomainPrefix",
            NamedFormat::Dns1035LabelPrefix => "format.dns1035LabelPrefix",
            NamedFormat::LabelValue => "format.labelValue",
            NamedFormat::Uri => "format.uri",
            NamedFormat::Uuid => "format.uuid",
            NamedFormat::Byte => "format.byte",
            NamedFormat::Date => "format.date",
            NamedFormat::DateTime => "format.datetime",
        }
    }

    fn named(name: &str) -> Option<NamedFormat> {
        NamedFormat::ALL
            .into_iter()
            .find(|format| format.function_name().strip_prefix("format.") == Some(name))
    }

    /// The reasons `value` is refused, in the API server's words; none when it is valid.
    fn validate(self, value: &str) -> Vec<String> {
        let refused = |valid: bool, reason: &str| {
            if valid {
                Vec::new()
            } else {
                vec![reason.to_owned()]
            }
        };
        match self {
            NamedFormat::Dns1123Label => validation::dns1123_label(value),
            NamedFormat::Dns1123Subdomain => validation::dns1123_subdomain(value),
            NamedFormat::Dns1035Label => validation::dns1035_label(value),
            NamedFormat::QualifiedName => validation::qualified_name(value),
            NamedFormat::Dns1123LabelPrefix => {
                validation::dns1123_label(&mask_trailing_dash(value))
            }
            NamedFormat::Dns1123SubdomainPrefix => {
                validation::dns1123_subdomain(&mask_trailing_dash(value))
            }
            NamedFormat::Dns1035LabelPrefix => {
                validation::dns1035_label(&mask_trailing_dash(value))
            }
            NamedFormat::LabelValue => validation::label_value(value),
            NamedFormat::Uri => match parse_url(value, UrlSyntax::RequestUri) {
                Ok(_) => Vec::new(),
                Err(e) => vec![go_url_error(value, &e)],
            },
            NamedFormat::Uuid => refused(is_uuid(value), "does not match the UUID format"),
            NamedFormat::Byte => refused(is_base64(value), "invalid base64"),
            NamedFormat::Date => refused(is_full_date(value), "invalid date"),
            NamedFormat::DateTime => refused(is_date_time(value), "invalid datetime"),
        }
    }
}

/// A name prefix may end in `-`, as a generated suffix follows it. The API server's
/// `maskTrailingDash` drops two bytes and appends `a`, shortening the name by one: copied as is,
/// since which names validate depends on it.
fn mask_trailing_dash(value: &str) -> String {
    if value.len() > 1 && value.ends_with('-') {
        // Cutting inside a character leaves a replacement character, refused as Go's stray
        // byte would be.
        let mut masked = String::from_utf8_lossy(&value.as_bytes()[..value.len() - 2]).into_owned();
        masked.push('a');
        masked
    } else {
        value.to_owned()
    }
}

/// kube-openapi's `uuid` format: 8-4-4-4-12 hex digits, or 32 without dashes, any case.
fn is_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes.len() {
        32 => bytes.iter().all(u8::is_ascii_hexdigit),
        36 => bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        }),
        _ => false,
    }
}

/// Go's `base64.StdEncoding.DecodeString` succeeding: padded, newlines ignored, unused bits of
/// the last character not checked.
fn is_base64(value: &str) -> bool {
    let bytes: Vec<u8> = value
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    if !bytes.len().is_multiple_of(4) {
        return false;
    }
    let quanta = bytes.len() / 4;
    bytes.chunks(4).enumerate().all(|(i, quantum)| {
        let padding = quantum.iter().rev().take_while(|&&b| b == b'=').count();
        (padding == 0 || (padding <= 2 && i + 1 == quanta))
            && quantum[..4 - padding]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    })
}

/// Go's `time.Parse("2006-01-02", value)` succeeding.
fn is_full_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| {
        let digits = &bytes[range];
        digits.iter().all(u8::is_ascii_digit).then(|| {
            digits
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// kube-openapi's `IsDateTime`: a date, `t`, then `hh:mm:ss`, an optional fraction and a zone,
/// case-insensitively.
fn is_date_time(value: &str) -> bool {
    if value.len() < 4 {
        return false;
    }
    let lower = value.to_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    is_full_date(date) && is_time_of_day(time)
}

/// `^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$`, the hour at most 23
/// and the minute and second at most 59.
fn is_time_of_day(time: &str) -> bool {
    let bytes = time.as_bytes();
    if bytes.len() < 9 {
        return false;
    }
    let two_digits = |at: usize| {
        (bytes[at].is_ascii_digit() && bytes[at + 1].is_ascii_digit())
            .then(|| (bytes[at] - b'0') * 10 + (bytes[at + 1] - b'0'))
    };
    let clock = (
        two_digits(0),
        bytes[2],
        two_digits(3),
        bytes[5],
        two_digits(6),
    );
    let (Some(hour), b':', Some(minute), b':', Some(second)) = clock else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let is_zone = |zone: &str| {
        let z = zone.as_bytes();
        zone == "z"
            || (z.len() == 6
                && matches!(z[0], b'+' | b'-')
                && z[1].is_ascii_digit()
                && z[2].is_ascii_digit()
                && z[3] == b':'
                && z[4].is_ascii_digit()
                && z[5].is_ascii_digit())
    };
    let rest = &time[8..];
    if is_zone(rest) {
        return true;
    }
    // The fraction's separator is the pattern's `.`: any character but a newline.
    let mut chars = rest.chars();
    match chars.next() {
        Some(separator) if separator != '\n' => {
            let after = chars.as_str();
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && is_zone(&after[digits..])
        }
        _ => false,
    }
}

/// `format.<name>()` for each of `NamedFormat::ALL`, in order: an overload takes no closure.
const FORMAT_CONSTANTS: [Function; 13] = [
    format_constant::<0>,
    format_constant::<1>,
    format_constant::<2>,
    format_constant::<3>,
    format_constant::<4>,
    format_constant::<5>,
    format_constant::<6>,
    format_constant::<7>,
    format_constant::<8>,
    format_constant::<9>,
    format_constant::<10>,
    format_constant::<11>,
    format_constant::<12>,
];

fn format_constant<'b, 'v, const INDEX: usize>(_args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    opaque(NamedFormat::ALL[INDEX])
}

fn declare_formats(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.global(
        "format.named",
        "format-named",
        vec![STRING_TYPE],
        format_named,
    )?;
    for (format, constant) in NamedFormat::ALL.into_iter().zip(FORMAT_CONSTANTS) {
        r.global(
            format.function_name(),
            format.function_name(),
            vec![],
            constant,
        )?;
    }
    r.member(
        "validate",
        "format-validate",
        FORMAT_TYPE,
        vec![STRING_TYPE],
        format_validate,
    )
}

fn format_named<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [name] = take(args)?;
    Ok(CowVal::owned(
        match NamedFormat::named(str_arg(name.as_ref())?) {
            Some(format) => CelOptional::of(opaque(format)?.into_owned()),
            None => CelOptional::none(),
        },
    ))
}

/// `optional.none()` when valid, else the reasons.
fn format_validate<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [format, value] = take(args)?;
    let format: NamedFormat = opaque_arg(format.as_ref(), FORMAT_TYPE_NAME)?;
    let errors = format.validate(str_arg(value.as_ref())?);
    Ok(CowVal::owned(if errors.is_empty() {
        CelOptional::none()
    } else {
        CelOptional::of(Box::new(string_list(errors)))
    }))
}

// ---------------------------------------------------------------------------------------------
// Sets (cel-go's ext.Sets, in the API server's environment since 1.29): sets.contains,
// sets.equivalent, sets.intersects

fn declare_sets(r: &mut Registrar<'_>) -> Result<(), DeclarationError> {
    r.global(
        "sets.contains",
        "list_sets_contains_list",
        vec![LIST_TYPE, LIST_TYPE],
        sets_contains,
    )?;
    r.global(
        "sets.equivalent",
        "list_sets_equivalent_list",
        vec![LIST_TYPE, LIST_TYPE],
        sets_equivalent,
    )?;
    r.global(
        "sets.intersects",
        "list_sets_intersects_list",
        vec![LIST_TYPE, LIST_TYPE],
        sets_intersects,
    )
}

/// A scalar as CEL equality sees it: `1`, `1u` and `1.0` are one number.
#[derive(Hash, PartialEq, Eq)]
enum ScalarKey {
    Null,
    Bool(bool),
    Number(i128),
    Fraction(u64),
    String(String),
    Bytes(Vec<u8>),
}

fn scalar_key(value: &dyn Val) -> Option<ScalarKey> {
    match value.get_type().kind() {
        Kind::NullType => Some(ScalarKey::Null),
        Kind::Boolean => value
            .downcast_ref::<CelBool>()
            .map(|b| ScalarKey::Bool(*b.inner())),
        Kind::Int => value
            .downcast_ref::<CelInt>()
            .map(|i| ScalarKey::Number(i128::from(*i.inner()))),
        Kind::UInt => value
            .downcast_ref::<CelUInt>()
            .map(|u| ScalarKey::Number(i128::from(*u.inner()))),
        Kind::Double => value.downcast_ref::<CelDouble>().and_then(|d| {
            let d = *d.inner();
            if d.is_nan() {
                // Equal to nothing: compared the slow way, which says so.
                None
            } else if d.fract() == 0.0 && d.abs() < 1e38 {
                Some(ScalarKey::Number(d as i128))
            } else {
                Some(ScalarKey::Fraction(d.to_bits()))
            }
        }),
        Kind::String => value
            .downcast_ref::<CelString>()
            .map(|s| ScalarKey::String(s.inner().to_owned())),
        Kind::Bytes => value
            .downcast_ref::<CelBytes>()
            .map(|b| ScalarKey::Bytes(b.inner().to_vec())),
        _ => None,
    }
}

/// The elements of a list, hashed when scalar so that membership is not a scan of the list.
struct Members<'a> {
    scalars: HashSet<ScalarKey>,
    others: Vec<&'a dyn Val>,
}

impl<'a> Members<'a> {
    fn of(list: &'a dyn Val) -> Result<Members<'a>, ExecutionError> {
        let mut members = Members {
            scalars: HashSet::new(),
            others: Vec::new(),
        };
        let mut items = iterable(list)?.iter();
        while let Some(item) = items.next() {
            match scalar_key(item) {
                Some(key) => {
                    members.scalars.insert(key);
                }
                None => members.others.push(item),
            }
        }
        Ok(members)
    }

    fn contains(&self, value: &dyn Val) -> bool {
        match scalar_key(value) {
            Some(key) => self.scalars.contains(&key),
            None => self.others.iter().any(|other| other.equals(value)),
        }
    }

    fn contains_all(&self, list: &dyn Val) -> Result<bool, ExecutionError> {
        let mut items = iterable(list)?.iter();
        while let Some(item) = items.next() {
            if !self.contains(item) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn contains_any(&self, list: &dyn Val) -> Result<bool, ExecutionError> {
        let mut items = iterable(list)?.iter();
        while let Some(item) = items.next() {
            if self.contains(item) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [list, sublist] = take(args)?;
    Ok(boolean(
        Members::of(list.as_ref())?.contains_all(sublist.as_ref())?,
    ))
}

fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [a, b] = take(args)?;
    Ok(boolean(
        Members::of(a.as_ref())?.contains_all(b.as_ref())?
            && Members::of(b.as_ref())?.contains_all(a.as_ref())?,
    ))
}

fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Outcome<'b, 'v> {
    let [a, b] = take(args)?;
    Ok(boolean(Members::of(a.as_ref())?.contains_any(b.as_ref())?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::Context;
    use std::sync::LazyLock;

    static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(kubernetes_env()));

    fn eval(expression: &str) -> Result<Value, ExecutionError> {
        let program = ENV
            .compile(expression)
            .unwrap_or_else(|e| panic!("{expression} should compile: {e}"));
        program.execute(&Context::with_env(Arc::clone(&ENV)))
    }

    fn assert_true(expression: &str) {
        assert_eq!(eval(expression), Ok(Value::Bool(true)), "{expression}");
    }

    fn assert_all_true(expressions: &[&str]) {
        for expression in expressions {
            assert_true(expression);
        }
    }

    /// An evaluation error whose message contains `message`.
    fn assert_error(expression: &str, message: &str) {
        match eval(expression) {
            Err(e) => assert!(
                e.to_string().contains(message),
                "{expression}: {e} should contain {message:?}"
            ),
            Ok(v) => panic!("{expression} should fail, got {v:?}"),
        }
    }

    #[test]
    fn declared_is_sorted_without_duplicates() {
        assert!(DECLARED.windows(2).all(|w| w[0] < w[1]), "{DECLARED:?}");
    }

    #[test]
    fn every_overload_we_register_is_declared() {
        let mut env = Env::stdlib();
        let names = declare_all(&mut env).expect("no duplicate overload");
        for name in names {
            assert!(DECLARED.contains(&name), "{name} is missing from DECLARED");
        }
    }

    /// A call to an undeclared function fails as an undeclared reference; one to a declared
    /// function with arguments none of its overloads takes fails otherwise (or succeeds, for
    /// overloads taking `dyn`).
    #[test]
    fn every_declared_name_is_callable() {
        let args = "null, null, null, null, null";
        for name in DECLARED {
            let global = eval(&format!("{name}({args})"));
            let member = eval(&format!("null.{name}({args})"));
            let undeclared = |result: &Result<Value, ExecutionError>| {
                matches!(result, Err(ExecutionError::UndeclaredReference(_)))
            };
            assert!(
                !undeclared(&global) || !undeclared(&member),
                "{name} is not declared: {global:?} {member:?}"
            );
        }
        assert!(matches!(
            eval(&format!("fooBar({args})")),
            Err(ExecutionError::UndeclaredReference(_))
        ));
    }

    #[test]
    fn is_declared_knows_the_environment() {
        for name in [
            "size",
            "isSorted",
            "math.@max",
            "_+_",
            "!_",
            "-_",
            "@not_strictly_false",
            "@in",
            "quantity",
            "indexOf",
            "lowerAscii",
            "math.abs",
            "abs",
            "optional.of",
            "of",
            "dns1123Label",
            "isCanonical",
            "contains",
        ] {
            assert!(is_declared(name), "{name}");
        }
        for name in [
            "fooBar",
            "check",
            "allowed",
            "authorizer",
            "base64.decode",
            "div",
        ] {
            assert!(!is_declared(name), "{name}");
        }
    }

    #[test]
    fn sample_of_declared_functions_runs() {
        assert_all_true(&[
            "size('abc') == 3 && [1, 2].size() == 2",
            "'abc'.lowerAscii() == 'abc' && 'a,b'.split(',') == ['a', 'b']",
            "['a', 'b'].join('-') == 'a-b' && strings.quote('a') == '\"a\"'",
            "'abc'.charAt(1) == 'b' && 'abc'.substring(1) == 'bc' && ' a '.trim() == 'a'",
            "'aXa'.replace('X', 'b') == 'aba' && 'ab'.reverse() == 'ba' && 'AB'.lowerAscii() == 'ab'",
            "'%s-%d'.format(['a', 1]) == 'a-1'",
            "[3, 1, 2].sort() == [1, 2, 3] && [1, [2]].flatten() == [1, 2] && [1, 1].distinct() == [1]",
            "lists.range(3) == [0, 1, 2] && [1, 2, 3].slice(1, 2) == [2]",
            "math.greatest(1, 5, 3) == 5 && math.least([4, 2]) == 2 && math.abs(-1) == 1",
            "math.ceil(1.2) == 2.0 && math.isNaN(0.0 / 0.0) && math.sqrt(4) == 2.0",
            "optional.of(1).hasValue() && optional.none().orValue(2) == 2",
            "[1, 2].sortBy(x, -x) == [2, 1]",
            "duration('1m').getSeconds() == 60 && timestamp('2024-01-02T00:00:00Z').getFullYear() == 2024",
            "int('1') == 1 && uint(1) == 1u && double(1) == 1.0 && string(1) == '1' && bool('true')",
            "type(1) == int && dyn(1) == 1 && bytes('a') == b'a'",
            "'abc'.matches('^a') && 'abc'.startsWith('a') && 'abc'.endsWith('c') && 'abc'.contains('b')",
        ]);
    }

    #[test]
    fn bind() {
        assert_all_true(&[
            "cel.bind(x, 2, x * x) == 4",
            "cel.bind(a, 'hello', cel.bind(b, 'world', a + b + b + a)) == 'helloworldworldhello'",
            "cel.bind(valid, [1, 2], [2, 3].exists(e, e in valid))",
            "cel.bind(ip, ip('10.0.0.1'), ip.family() == 4)",
        ]);
        let errors = ENV.compile("cel.bind(a.b, 1, 2)").unwrap_err();
        assert!(
            errors.to_string().contains("simple identifiers"),
            "{errors}"
        );
        // `bind` on anything but `cel` is an ordinary (here undeclared) call.
        assert!(matches!(
            eval("[1].bind(x, 1, 2)"),
            Err(ExecutionError::UndeclaredReference(_))
        ));
    }

    #[test]
    fn lists() {
        assert_all_true(&[
            "[1, 2, 2, 3].isSorted() && ['a', 'b'].isSorted() && [].isSorted() && [1].isSorted()",
            "![2.0, 1.0].isSorted() && ![1, 3, 2].isSorted()",
            "[1, 3].sum() == 4 && [1.0, 3.5].sum() == 4.5 && [1u, 2u].sum() == 3u && [].sum() == 0",
            "[duration('1m'), duration('1s')].sum() == duration('61s')",
            "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && ['b', 'a'].min() == 'a' && [1].max() == 1",
            "[1, 2, 2, 3].indexOf(2) == 1 && ['a', 'b', 'b', 'c'].lastIndexOf('b') == 2",
            "[1.0].indexOf(1.1) == -1 && [].indexOf('x') == -1 && [].lastIndexOf(1) == -1",
            "'abc'.indexOf('b') == 1 && 'abcb'.lastIndexOf('b') == 3 && [1, 2, 3].indexOf(2) == 1",
            "[[1], [2]].indexOf([2]) == 1",
        ]);
        assert_error("[].min()", "min called on empty list");
        assert_error("[].max()", "max called on empty list");
        assert_error("[[1], [2]].isSorted()", "comparable");
        assert_error("[{}].min()", "comparable");
        assert_error("['a', 'b'].sum()", "only numbers and durations");
        assert_error("[1, 2.0].sum()", "");
        assert_error("[1, 'a'].isSorted()", "");
        assert_error("[9223372036854775807, 1].sum()", "");
        assert_error("'abc'.sum()", "");
    }

    #[test]
    fn regex() {
        assert_all_true(&[
            "'abc 123'.find('[0-9]+') == '123' && 'abc 123'.find('xyz') == ''",
            "'123 abc 456'.findAll('[0-9]+') == ['123', '456']",
            "'123 abc 456'.findAll('[0-9]+', 1) == ['123']",
            "'123 abc 456'.findAll('[0-9]+', 0) == [] && '123 abc 456'.findAll('[0-9]+', -1).size() == 2",
            "'123 abc 456'.findAll('xyz') == []",
            // Go's rule for empty matches: none right after a match.
            "'123 abc 456'.findAll('[0-9]*') == ['123', '', '', '', '', '456']",
        ]);
        assert_error("'abc'.find('(')", "Illegal regex");
        assert_error("'abc'.findAll('[', 2)", "Illegal regex");
        assert_error("'abc'.find(1)", "");
    }

    #[test]
    fn find_all_is_linear_on_large_input() {
        let text = "a1".repeat(200_000);
        let expression = format!("'{text}'.findAll('[0-9]').size() == 200000");
        let started = std::time::Instant::now();
        assert_true(&expression);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn urls() {
        assert_all_true(&[
            "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
            "isURL('/absolute-path') && isURL('mailto:a@b.c') && isURL('*')",
            "!isURL('https://a:b:c/') && !isURL('../relative-path') && !isURL('')",
            "!isURL('example.com') && !isURL('http://[::1/') && !isURL('http://a b/')",
            "!isURL('http://x/%zz') && !isURL('1http://x') && !isURL(':x')",
            "!isURL('http://us er@host/') && !isURL('http://[10.0.0.1]/') && !isURL('http://h%41/')",
            "url('http://[fe80::1%25en0]:8080/').getHostname() == 'fe80::1%en0'",
            "url('http://h%C3%A9/').getHost() == 'hé'",
            "url('/path').getScheme() == '' && url('HTTPS://example.com/').getScheme() == 'https'",
            "url('https://example.com:80/').getHost() == 'example.com:80'",
            "url('https://example.com/').getHost() == 'example.com'",
            "url('https://[::1]:80/').getHost() == '[::1]:80' && url('/path').getHost() == ''",
            "url('https://example.com:80/').getHostname() == 'example.com'",
            "url('https://127.0.0.1:80/').getHostname() == '127.0.0.1'",
            "url('https://[::1]:80/').getHostname() == '::1' && url('/path').getHostname() == ''",
            "url('https://example.com:80/').getPort() == '80' && url('https://example.com/').getPort() == ''",
            "url('https://example.com/path').getEscapedPath() == '/path'",
            "url('https://example.com/path with spaces/').getEscapedPath() == '/path%20with%20spaces/'",
            "url('https://example.com/a%2Fb').getEscapedPath() == '/a%2Fb'",
            "url('https://example.com').getEscapedPath() == ''",
            "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
            "url('https://example.com/path?key with spaces=value with spaces').getQuery() == {'key with spaces': ['value with spaces']}",
            "url('https://example.com/p?a=1+2&b=%41&bad=%zz&c;d=1').getQuery() == {'a': ['1 2'], 'b': ['A']}",
            "url('https://example.com/path?').getQuery() == {} && url('https://example.com/path').getQuery() == {}",
            "url('https://example.com/p?q=1#frag?x=2').getQuery() == {'q': ['1']}",
            "url('//host/path').getHost() == 'host'",
            "url('https://example.com/a') == url('https://example.com/a')",
            "url('https://example.com/a') != url('https://example.com/b')",
        ]);
        assert_error("url('../relative-path')", "invalid URI for request");
        assert_error("url('https://a:b:c/')", "invalid port \":c\" after host");
        assert_error("url('https://example.com/#%zz')", "invalid URL escape");
        assert_error("url(1)", "");
        assert_error("url('/a').getHost(1)", "");
    }

    #[test]
    fn ips() {
        assert_all_true(&[
            "isIP('127.0.0.1') && isIP('::1') && !isIP('127.0.0.256') && !isIP(':::1')",
            "!isIP('::ffff:1.2.3.4') && !isIP('fe80::1%eth0') && !isIP('127.0.0.01')",
            "ip.isCanonical('127.0.0.1') && ip.isCanonical('2001:db8::abcd')",
            "!ip.isCanonical('2001:DB8::ABCD') && !ip.isCanonical('2001:db8::0:0:0:abcd')",
            "ip('127.0.0.1').family() == 4 && ip('::1').family() == 6",
            "ip('0.0.0.0').isUnspecified() && !ip('127.0.0.1').isUnspecified() && ip('::').isUnspecified()",
            "ip('127.0.0.1').isLoopback() && !ip('192.168.0.1').isLoopback() && ip('::1').isLoopback()",
            "!ip('2001:db8::abcd').isLoopback()",
            "ip('224.0.0.1').isLinkLocalMulticast() && !ip('224.0.1.1').isLinkLocalMulticast()",
            "ip('ff02::1').isLinkLocalMulticast() && !ip('fd00::1').isLinkLocalMulticast()",
            "ip('169.254.169.254').isLinkLocalUnicast() && !ip('192.168.0.1').isLinkLocalUnicast()",
            "ip('fe80::1').isLinkLocalUnicast() && !ip('fd80::1').isLinkLocalUnicast()",
            "ip('192.168.0.1').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()",
            "ip('2001:db8::abcd').isGlobalUnicast() && !ip('ff00::1').isGlobalUnicast()",
            "!ip('0.0.0.0').isGlobalUnicast() && !ip('fe80::1').isGlobalUnicast()",
            "string(ip('2001:DB8::1')) == '2001:db8::1' && string(ip('10.0.0.1')) == '10.0.0.1'",
            "ip('::1') == ip('0:0::1') && ip('10.0.0.1') != ip('10.0.0.2')",
        ]);
        assert_error("ip('127.0.0.256')", "parse error during conversion");
        assert_error("ip('fe80::1%eth0')", "with zone value is not allowed");
        assert_error("ip('::ffff:1.2.3.4')", "IPv4-mapped IPv6 address");
        assert_error("ip.isCanonical('x')", "parse error");
        assert_error("ip(1)", "");
        assert_error("ip('::1').family(1)", "");
    }

    #[test]
    fn cidrs() {
        assert_all_true(&[
            "isCIDR('192.168.0.0/16') && isCIDR('::1/128') && isCIDR('0.0.0.0/0')",
            "!isCIDR('192.168.0.0/33') && !isCIDR('::1/129') && !isCIDR('10.0.0.0')",
            "!isCIDR('10.0.0.0/08') && !isCIDR('10.0.0.0/+8') && !isCIDR('::ffff:1.2.3.4/120')",
            "!isCIDR('fe80::%eth0/64') && !isCIDR('10.0.0.0/')",
            "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
            "!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
            "cidr('192.168.0.0/24').containsIP('192.168.0.1') && !cidr('192.168.0.0/24').containsIP('192.168.1.1')",
            "!cidr('0.0.0.0/0').containsIP('::1') && cidr('::/0').containsIP('::1')",
            "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))",
            "!cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24'))",
            "cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24') && !cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')",
            "!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/16')",
            "cidr('192.168.0.1/24').ip() == ip('192.168.0.1') && cidr('::1/128').ip().family() == 6",
            "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
            "cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()",
            "cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()",
            "cidr('2001:db8::1/32').masked() == cidr('2001:db8::/32')",
            "cidr('192.168.0.0/16').prefixLength() == 16 && cidr('::1/128').prefixLength() == 128",
            "string(cidr('10.0.0.1/8')) == '10.0.0.1/8' && string(cidr('10.0.0.1/8').masked()) == '10.0.0.0/8'",
        ]);
        assert_error("cidr('192.168.0.0/33')", "prefix length out of range");
        assert_error("cidr('::ffff:1.2.3.4/120')", "IPv4-mapped IPv6 address");
        assert_error("cidr('10.0.0.0')", "no '/'");
        assert_error("cidr('10.0.0.0/8').containsIP('x')", "parse error");
        assert_error("cidr('10.0.0.0/8').containsCIDR('x')", "parse error");
        assert_error("cidr('10.0.0.0/8').containsIP(1)", "");
    }

    #[test]
    fn quantities() {
        assert_all_true(&[
            "isQuantity('20') && isQuantity('20M') && isQuantity('20Mi') && isQuantity('1.3G')",
            "!isQuantity('20Mo') && !isQuantity('10Mm') && !isQuantity('1,3G') && !isQuantity('200K')",
            "!isQuantity('Three') && !isQuantity('Mi') && !isQuantity(' 1') && !isQuantity('')",
            "quantity('1Gi') == quantity('1024Mi') && quantity('200M') == quantity('0.2G')",
            "quantity('200M') != quantity('0.3G')",
            "quantity('50M').isLessThan(quantity('50Mi')) && !quantity('100M').isLessThan(quantity('50M'))",
            "quantity('50Mi').isGreaterThan(quantity('50M')) && !quantity('50M').isGreaterThan(quantity('100M'))",
            "quantity('200M').compareTo(quantity('0.2G')) == 0",
            "quantity('50M').compareTo(quantity('50Mi')) == -1 && quantity('50Mi').compareTo(quantity('50M')) == 1",
            "quantity('50k').add(quantity('20')) == quantity('50.02k')",
            "!quantity('50k').add(20).isLessThan(quantity('50020'))",
            "quantity('50k').sub(quantity('20')) == quantity('49.98k') && quantity('50k').sub(20) == quantity('49980')",
            "quantity('50k').add(20).sub(quantity('100k')).asInteger() == -49980",
            "quantity('50k').add(20).sub(quantity('100k')).sub(-50000).asInteger() == 20",
            "quantity('50k').asInteger() == 50000 && quantity('-1Ki').asInteger() == -1024",
            "quantity('50').isInteger() && quantity('1k').isInteger() && !quantity('500m').isInteger()",
            "!quantity('10E18').isInteger() && quantity('9223372036854775807').isInteger()",
            "quantity('50.703k').asApproximateFloat() == 50703.0 && quantity('-0.5').asApproximateFloat() == -0.5",
            "quantity('-50k').sign() == -1 && quantity('0').sign() == 0 && sign(quantity('1m')) == 1",
        ]);
        assert_error(
            "quantity('10Mo')",
            "quantities must match the regular expression",
        );
        assert_error("quantity(' 1')", "quantities must match");
        assert_error("quantity('1e100')", "quantities must match");
        assert_error(
            "quantity('500m').asInteger()",
            "cannot convert value to integer",
        );
        assert_error(
            "quantity('10E18').asInteger()",
            "cannot convert value to integer",
        );
        assert_error(
            "quantity('100000000000000000000000000000').add(quantity('100000000000000000000000000000'))",
            "quantity overflow",
        );
        assert_error(
            "quantity('-100000000000000000000000000000').sub(quantity('100000000000000000000000000000'))",
            "quantity overflow",
        );
        assert_error("quantity(1)", "");
        assert_error("quantity('1').add('1')", "");
        assert_error("quantity('1').isLessThan(1)", "");
    }

    #[test]
    fn nanos_round_trip_exactly() {
        for text in [
            "0",
            "1n",
            "-1n",
            "1",
            "-1",
            "500m",
            "1Gi",
            "1.5Ti",
            "129e6",
            "9223372036854775807",
            "-170141183460469231731687303715884105727n",
            "170141183460469231731687303715884105727n",
        ] {
            let quantity = Quantity::parse(text).expect(text);
            assert_eq!(
                quantity_from_nanos(nanos_of(quantity)),
                Some(quantity),
                "{text}"
            );
        }
        assert_eq!(nanos_of(Quantity::parse("1.5").unwrap()), 1_500_000_000);
        assert_eq!(
            nanos_of(Quantity::parse("-2Ki").unwrap()),
            -2048 * NANOS_PER_UNIT
        );
    }

    #[test]
    fn formats() {
        assert_all_true(&[
            "!format.dns1123Label().validate('my-label-name').hasValue()",
            "format.dns1123Label().validate('My_Label').hasValue()",
            "format.dns1123Label().validate('a.b').value().size() == 1",
            "!format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()",
            "format.dns1123Subdomain().validate('-a').hasValue()",
            "!format.dns1035Label().validate('my-label-name').hasValue()",
            "format.dns1035Label().validate('1abc').hasValue()",
            "!format.qualifiedName().validate('apiextensions.k8s.io/v1beta1').hasValue()",
            "format.qualifiedName().validate('a/b/c').hasValue()",
            "!format.dns1123LabelPrefix().validate('my-label-prefix-').hasValue()",
            "format.dns1123Label().validate('my-label-prefix-').hasValue()",
            "!format.dns1123SubdomainPrefix().validate('mysubdomain.prefix.-').hasValue()",
            "!format.dns1035LabelPrefix().validate('my-label-prefix-').hasValue()",
            "format.dns1035LabelPrefix().validate('1abc-').hasValue()",
            // The API server's masking drops the character before the dash too.
            "!format.dns1035LabelPrefix().validate('1-').hasValue()",
            "!format.labelValue().validate('').hasValue() && format.labelValue().validate('a b').hasValue()",
            "!format.uri().validate('http://example.com').hasValue()",
            "format.uri().validate('../x').value() == ['parse \"../x\": invalid URI for request']",
            "!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
            "!format.uuid().validate('123E4567E89B12D3A456426614174000').hasValue()",
            "format.uuid().validate('123e4567-e89b-12d3-a456').value() == ['does not match the UUID format']",
            "!format.byte().validate('aGVsbG8=').hasValue() && !format.byte().validate('').hasValue()",
            "format.byte().validate('aGVsbG8').value() == ['invalid base64']",
            "format.byte().validate('aG=s').hasValue() && format.byte().validate('a===').hasValue()",
            "!format.date().validate('2021-01-01').hasValue() && !format.date().validate('2024-02-29').hasValue()",
            "format.date().validate('2021-02-29').value() == ['invalid date']",
            "format.date().validate('2021-1-01').hasValue() && format.date().validate('2021-13-01').hasValue()",
            "!format.datetime().validate('2021-01-01T00:00:00Z').hasValue()",
            "!format.datetime().validate('2021-01-01t23:59:59.123+01:00').hasValue()",
            "format.datetime().validate('2021-01-01T24:00:00Z').value() == ['invalid datetime']",
            "format.datetime().validate('2021-01-01T00:00:00').hasValue()",
            "format.datetime().validate('2021-01-01').hasValue()",
            "format.named('dns1123Label').hasValue() && !format.named('nope').hasValue()",
            "format.named('uri').value() == format.uri() && format.named('uri').value() != format.uuid()",
            "!format.named('datetime').value().validate('2021-01-01T00:00:00Z').hasValue()",
        ]);
        assert_error("format.uri().validate(1)", "");
        assert_error("format.named(1)", "");
    }

    #[test]
    fn each_format_constant_is_its_own_format() {
        for format in NamedFormat::ALL {
            let name = format.function_name();
            let short = name.trim_start_matches("format.");
            assert_true(&format!("{name}() == format.named('{short}').value()"));
        }
    }

    #[test]
    fn sets() {
        assert_all_true(&[
            "sets.contains([1, 2, 3], [2, 3]) && sets.contains([1], []) && !sets.contains([1], [2])",
            "sets.contains([1, 2.0, 3u], [1.0, 2u, 3]) && sets.contains([[1], 'a'], [[1]])",
            "!sets.contains([double('NaN')], [double('NaN')])",
            "sets.equivalent([1, 2, 2], [2, 1]) && !sets.equivalent([1, 2], [1])",
            "sets.intersects([1, 2], [2, 5]) && !sets.intersects([1, 2], [3]) && !sets.intersects([], [])",
            "sets.intersects([{'a': 1}], [{'a': 1}])",
        ]);
        assert_error("sets.contains(1, [1])", "");
    }

    #[test]
    fn results_convert_to_values() {
        assert!(matches!(eval("quantity('1')"), Ok(Value::Opaque(_))));
        assert!(matches!(eval("cidr('10.0.0.0/8')"), Ok(Value::Opaque(_))));
        assert!(matches!(eval("format.named('uri')"), Ok(Value::Opaque(_))));
    }

    #[test]
    fn optional_field_chains_keep_their_meaning() {
        for (expression, expected) in [
            ("{'a': {'b': 1}}.?a.?b.orValue(0) == 1", true),
            ("{'a': {'b': 1}}.?a.?c.orValue(0) == 0", true),
            ("{'a': {'b': 1}}.?x.?b.orValue(0) == 0", true),
            ("{'a': 5}.?a.?b.orValue(0) == 0", true),
            ("{'a': [1]}.?a.?b.orValue(7) == 7", true),
            ("{'a': {'b': null}}.?a.?b.orValue(0) == null", true),
            ("{'a': {'b': [1, 2]}}.?a.?b.orValue([]).size() == 2", true),
            ("[{'a': 1}, {}].all(m, m.?a.orValue(1) == 1)", true),
            ("{'a': {'b': 1}}[?'a'].?b.orValue(0) == 1", true),
            ("optional.none().?a.orValue(3) == 3", true),
        ] {
            assert_eq!(eval(expression), Ok(Value::Bool(expected)), "{expression}");
        }
    }
}
