//! Request bodies of the details query and async jobs, and how filters match.
//!
//! Bodies are parsed strictly (`deny_unknown_fields`), so an invented field such
//! as `dateFrom`, `groupBy` or `select` is a 400, as on Genesys Cloud.
//!
//! Matching semantics (documented here because Genesys does not spell them out):
//! - every filter in `segmentFilters` must hold for the conversation, and one
//!   holds when **some segment** satisfies it. A segment sees its own fields, then
//!   its session's (mediaType, direction, ani, ...), then its participant's
//!   (purpose, userId, participantName, ...), then the conversation's;
//! - every filter in `conversationFilters` must hold on the conversation itself;
//!   `divisionId` matches any of `divisionIds`, a metric predicate matches when any
//!   session has that metric in range;
//! - `type: and|or` combines the filter's predicates and clauses; `matches` is an
//!   exact comparison, `exists`/`notExists` test presence.
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::enums::{
    CONVERSATION_DIMENSIONS, CONVERSATION_METRICS, SEGMENT_DIMENSIONS, SEGMENT_METRICS,
};

/// `ConversationQuery`, the body of the synchronous details query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConversationQuery {
    pub interval: String,
    #[serde(default)]
    pub conversation_filters: Vec<Filter>,
    #[serde(default)]
    pub segment_filters: Vec<Filter>,
    /// Accepted and ignored: the emulator has no evaluations, surveys or resolutions.
    #[serde(default)]
    pub evaluation_filters: Vec<Value>,
    #[serde(default)]
    pub survey_filters: Vec<Value>,
    #[serde(default)]
    pub resolution_filters: Vec<Value>,
    pub order: Option<Order>,
    pub order_by: Option<OrderBy>,
    /// Accepted and ignored (facets only).
    #[serde(default)]
    pub aggregations: Vec<Value>,
    pub paging: Option<Paging>,
}

/// `AsyncConversationQuery`, the body of an async details job.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AsyncConversationQuery {
    pub interval: String,
    #[serde(default)]
    pub conversation_filters: Vec<Filter>,
    #[serde(default)]
    pub segment_filters: Vec<Filter>,
    #[serde(default)]
    pub evaluation_filters: Vec<Value>,
    #[serde(default)]
    pub survey_filters: Vec<Value>,
    #[serde(default)]
    pub resolution_filters: Vec<Value>,
    pub order: Option<Order>,
    pub order_by: Option<OrderBy>,
    pub limit: Option<i32>,
    pub start_of_day_interval_matching: Option<bool>,
}

/// `PagingSpec`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Paging {
    pub page_size: i64,
    pub page_number: i64,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    Desc,
    Unordered,
}

/// Sort key. The emulator always sorts by conversation start (then id); the
/// other keys are accepted as valid input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderBy {
    ConversationStart,
    ConversationEnd,
    SegmentStart,
    SegmentEnd,
}

/// `and` / `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AndOr {
    And,
    Or,
}

/// A segment or conversation filter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(rename = "type")]
    pub kind: AndOr,
    #[serde(default)]
    pub clauses: Vec<Clause>,
    #[serde(default)]
    pub predicates: Vec<Predicate>,
}

/// A clause: predicates combined with and/or.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    #[serde(rename = "type")]
    pub kind: AndOr,
    pub predicates: Vec<Predicate>,
}

/// Predicate type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PredicateType {
    Dimension,
    Property,
    Metric,
}

/// Predicate operator (default `matches`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operator {
    #[default]
    Matches,
    Exists,
    NotExists,
}

/// One predicate (segment predicates may also carry `propertyType`/`property`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Predicate {
    #[serde(rename = "type")]
    pub kind: Option<PredicateType>,
    pub dimension: Option<String>,
    pub property_type: Option<String>,
    pub property: Option<String>,
    pub metric: Option<String>,
    pub operator: Option<Operator>,
    pub value: Option<String>,
    pub range: Option<NumericRange>,
}

/// `NumericRange`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericRange {
    pub gt: Option<f64>,
    pub gte: Option<f64>,
    pub lt: Option<f64>,
    pub lte: Option<f64>,
}

impl NumericRange {
    fn contains(&self, v: f64) -> bool {
        self.gt.is_none_or(|b| v > b)
            && self.gte.is_none_or(|b| v >= b)
            && self.lt.is_none_or(|b| v < b)
            && self.lte.is_none_or(|b| v <= b)
    }
}

/// Filters of a query, validated and ready to match conversations.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    pub conversation: Vec<Filter>,
    pub segment: Vec<Filter>,
}

/// Parses `start/end` (RFC 3339 instants) into a half-open UTC interval.
pub fn parse_interval(s: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let (a, b) = s
        .split_once('/')
        .ok_or_else(|| format!("Invalid interval '{s}': expected '<start>/<end>' (ISO-8601)"))?;
    let parse = |x: &str| {
        DateTime::parse_from_rfc3339(x)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| format!("Invalid interval '{s}': '{x}' is not an ISO-8601 date-time"))
    };
    let (from, to) = (parse(a)?, parse(b)?);
    if to <= from {
        return Err(format!(
            "Invalid interval '{s}': the end must be after the start"
        ));
    }
    Ok((from, to))
}

impl Matcher {
    /// Validates the predicates' dimensions and metrics and builds a matcher.
    pub fn new(conversation: Vec<Filter>, segment: Vec<Filter>) -> Result<Matcher, String> {
        for f in &conversation {
            for p in all_predicates(f) {
                check_predicate(p, CONVERSATION_DIMENSIONS, CONVERSATION_METRICS, false)?;
            }
        }
        for f in &segment {
            for p in all_predicates(f) {
                check_predicate(p, SEGMENT_DIMENSIONS, SEGMENT_METRICS, true)?;
            }
        }
        Ok(Matcher {
            conversation,
            segment,
        })
    }

    /// Builds a matcher from a `ConversationQuery`-shaped JSON value (only the
    /// `conversationFilters` and `segmentFilters` are read).
    pub fn from_json(query: &Value) -> Result<Matcher, String> {
        let read = |key: &str| -> Result<Vec<Filter>, String> {
            match query.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("{key}: {e}")),
            }
        };
        Matcher::new(read("conversationFilters")?, read("segmentFilters")?)
    }

    /// True when there is nothing to filter on.
    pub fn is_empty(&self) -> bool {
        self.conversation.is_empty() && self.segment.is_empty()
    }

    /// A cheap necessary condition for [`Matcher::matches`]: `has(dimension,
    /// value)` says whether the conversation can hold that value anywhere
    /// (`None` = unknown, assumed possible). Filters only use and/or, so judging
    /// every `matches` predicate against the whole conversation over-approximates
    /// the per-segment result: `false` here means no match.
    pub fn may_match(&self, has: &dyn Fn(&str, &str) -> Option<bool>) -> bool {
        let pred = |p: &Predicate| {
            if predicate_kind(p) != PredicateType::Dimension
                || p.operator.unwrap_or_default() != Operator::Matches
            {
                return true;
            }
            match (p.dimension.as_deref(), p.value.as_deref()) {
                (Some(d), Some(v)) => has(d, v).unwrap_or(true),
                _ => true,
            }
        };
        self.conversation
            .iter()
            .chain(&self.segment)
            .all(|f| eval_filter(f, &pred))
    }

    /// Does this conversation (an `AnalyticsConversation` JSON value) match?
    pub fn matches(&self, conv: &Value) -> bool {
        self.conversation
            .iter()
            .all(|f| eval_filter(f, &|p| conv_predicate(p, conv)))
            && self
                .segment
                .iter()
                .all(|f| segments(conv).any(|ctx| eval_filter(f, &|p| segment_predicate(p, &ctx))))
    }
}

fn all_predicates(f: &Filter) -> impl Iterator<Item = &Predicate> {
    f.predicates
        .iter()
        .chain(f.clauses.iter().flat_map(|c| c.predicates.iter()))
}

fn check_predicate(
    p: &Predicate,
    dims: &[&str],
    metrics: &[&str],
    segment: bool,
) -> Result<(), String> {
    let kind = predicate_kind(p);
    match kind {
        PredicateType::Dimension => {
            let d = p
                .dimension
                .as_deref()
                .ok_or("A dimension predicate needs a 'dimension'")?;
            if !dims.contains(&d) {
                return Err(format!("Invalid dimension '{d}'"));
            }
        }
        PredicateType::Metric => {
            let m = p
                .metric
                .as_deref()
                .ok_or("A metric predicate needs a 'metric'")?;
            if !metrics.contains(&m) {
                return Err(format!("Invalid metric '{m}'"));
            }
            if p.range.is_none() && p.operator.unwrap_or_default() == Operator::Matches {
                return Err(format!("A metric predicate on '{m}' needs a 'range'"));
            }
        }
        PredicateType::Property => {
            if !segment || p.property.is_none() {
                return Err("A property predicate needs 'propertyType' and 'property'".into());
            }
        }
    }
    if kind == PredicateType::Dimension
        && p.operator.unwrap_or_default() == Operator::Matches
        && p.value.is_none()
    {
        return Err("A 'matches' predicate needs a 'value'".into());
    }
    Ok(())
}

fn predicate_kind(p: &Predicate) -> PredicateType {
    p.kind.unwrap_or(if p.metric.is_some() {
        PredicateType::Metric
    } else if p.property.is_some() {
        PredicateType::Property
    } else {
        PredicateType::Dimension
    })
}

fn eval_filter(f: &Filter, pred: &dyn Fn(&Predicate) -> bool) -> bool {
    let clause = |c: &Clause| match c.kind {
        AndOr::And => c.predicates.iter().all(pred),
        AndOr::Or => c.predicates.iter().any(pred),
    };
    if f.predicates.is_empty() && f.clauses.is_empty() {
        return true;
    }
    match f.kind {
        AndOr::And => f.predicates.iter().all(pred) && f.clauses.iter().all(clause),
        AndOr::Or => f.predicates.iter().any(pred) || f.clauses.iter().any(clause),
    }
}

/// Compares a JSON value with a predicate value as Genesys does for strings.
fn value_matches(v: &Value, want: &str) -> bool {
    match v {
        Value::String(s) => s == want,
        Value::Bool(b) => want.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Value::Number(n) => n.to_string() == want,
        Value::Array(a) => a.iter().any(|x| value_matches(x, want)),
        _ => false,
    }
}

fn dimension_test(p: &Predicate, found: Option<&Value>) -> bool {
    match p.operator.unwrap_or_default() {
        Operator::Exists => found.is_some(),
        Operator::NotExists => found.is_none(),
        Operator::Matches => match (found, p.value.as_deref()) {
            (Some(v), Some(want)) => value_matches(v, want),
            _ => false,
        },
    }
}

fn conv_predicate(p: &Predicate, conv: &Value) -> bool {
    match predicate_kind(p) {
        PredicateType::Dimension => {
            let dim = p.dimension.as_deref().unwrap_or_default();
            let found = if dim == "divisionId" {
                conv.get("divisionIds")
            } else {
                conv.get(dim)
            };
            dimension_test(p, found)
        }
        PredicateType::Metric => {
            let name = p.metric.as_deref().unwrap_or_default();
            let mut values = sessions(conv)
                .flat_map(|s| {
                    s.get("metrics")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                })
                .filter(|m| m.get("name").and_then(Value::as_str) == Some(name))
                .filter_map(|m| m.get("value").and_then(Value::as_f64));
            match (p.operator.unwrap_or_default(), p.range) {
                (Operator::NotExists, _) => values.next().is_none(),
                (_, Some(r)) => values.any(|v| r.contains(v)),
                (_, None) => values.next().is_some(),
            }
        }
        PredicateType::Property => false,
    }
}

/// What one segment can see: itself, its session, participant and conversation.
struct SegmentCtx<'a> {
    seg: &'a Value,
    session: &'a Value,
    participant: &'a Value,
    conv: &'a Value,
}

fn arr<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn sessions(conv: &Value) -> impl Iterator<Item = &Value> {
    arr(conv, "participants").flat_map(|p| arr(p, "sessions"))
}

fn segments(conv: &Value) -> impl Iterator<Item = SegmentCtx<'_>> {
    arr(conv, "participants").flat_map(move |participant| {
        arr(participant, "sessions").flat_map(move |session| {
            arr(session, "segments").map(move |seg| SegmentCtx {
                seg,
                session,
                participant,
                conv,
            })
        })
    })
}

fn segment_predicate(p: &Predicate, ctx: &SegmentCtx<'_>) -> bool {
    match predicate_kind(p) {
        PredicateType::Dimension => {
            let dim = p.dimension.as_deref().unwrap_or_default();
            let found = ctx
                .seg
                .get(dim)
                .or_else(|| ctx.session.get(dim))
                .or_else(|| ctx.participant.get(dim))
                .or_else(|| match dim {
                    "callbackNumber" => ctx.session.get("callbackNumbers"),
                    _ => ctx.conv.get(dim),
                });
            dimension_test(p, found)
        }
        PredicateType::Metric => {
            let start = ctx
                .seg
                .get("segmentStart")
                .and_then(Value::as_str)
                .and_then(parse_ms);
            let end = ctx
                .seg
                .get("segmentEnd")
                .and_then(Value::as_str)
                .and_then(parse_ms);
            let duration = start.zip(end).map(|(s, e)| (e - s) as f64);
            match (p.operator.unwrap_or_default(), duration, p.range) {
                (Operator::NotExists, d, _) => d.is_none(),
                (_, Some(d), Some(r)) => r.contains(d),
                (_, d, None) => d.is_some(),
                _ => false,
            }
        }
        PredicateType::Property => false,
    }
}

fn parse_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
}
