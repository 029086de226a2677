//! Request bodies, exactly as `openapi-subset.json` describes them:
//! `ConversationQuery` (sync, page numbers) and `AsyncConversationQuery` (jobs).
//! Queue, media type, agent and wrap-up filters are segment-level; direction
//! and division are conversation-level.
//!
//! Direction is how the conversation began: `originatingDirection`, a
//! `ConversationDetailQueryPredicate` dimension in `openapi-subset.json` (the
//! same value the Direction column shows). The segment dimension `direction`
//! is per session: an inbound call that an agent transfers to an outside
//! number has an outbound leg, so filtering on it would count that inbound
//! call as outbound too.
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::filters::Filters;
use crate::error::{Error, Result};

/// `start/end` in ISO-8601 with milliseconds, e.g. `2024-01-01T00:00:00.000Z/2024-01-02T00:00:00.000Z`.
pub fn interval(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!(
        "{}/{}",
        from.to_rfc3339_opts(SecondsFormat::Millis, true),
        to.to_rfc3339_opts(SecondsFormat::Millis, true)
    )
}

/// Check the filter values a user gave (no request is sent).
pub fn validate_filters(f: &Filters) -> Result<()> {
    let lists: [(&str, &Vec<String>); 6] = [
        ("queueIds", &f.queue_ids),
        ("mediaTypes", &f.media_types),
        ("directions", &f.directions),
        ("userIds", &f.user_ids),
        ("wrapUpCodes", &f.wrap_up_codes),
        ("divisionIds", &f.division_ids),
    ];
    for (field, values) in lists {
        if values.iter().any(|v| v.trim().is_empty()) {
            return Err(Error::invalid(
                field,
                "A filter value is empty; remove it or choose a value.",
            ));
        }
    }
    if let Some(d) = f
        .directions
        .iter()
        .find(|d| !matches!(d.as_str(), "inbound" | "outbound"))
    {
        return Err(Error::invalid(
            "directions",
            format!("\"{d}\" is not a direction; use inbound or outbound."),
        ));
    }
    Ok(())
}

fn or_filter(dimension: &str, values: &[String]) -> Value {
    let predicates: Vec<Value> = values
        .iter()
        .map(|v| {
            json!({
                "type": "dimension",
                "dimension": dimension,
                "operator": "matches",
                "value": v,
            })
        })
        .collect();
    json!({ "type": "or", "predicates": predicates })
}

/// `segmentFilters`: one OR-filter per non-empty list (the filters are AND-ed).
pub fn segment_filters(f: &Filters) -> Vec<Value> {
    [
        ("queueId", &f.queue_ids),
        ("mediaType", &f.media_types),
        ("userId", &f.user_ids),
        ("wrapUpCode", &f.wrap_up_codes),
    ]
    .into_iter()
    .filter(|(_, values)| !values.is_empty())
    .map(|(dim, values)| or_filter(dim, values))
    .collect()
}

/// `conversationFilters`: direction (originating) and division, one OR-filter each (AND-ed).
pub fn conversation_filters(f: &Filters) -> Vec<Value> {
    [
        ("originatingDirection", &f.directions),
        ("divisionId", &f.division_ids),
    ]
    .into_iter()
    .filter(|(_, values)| !values.is_empty())
    .map(|(dim, values)| or_filter(dim, values))
    .collect()
}

fn add_filters(body: &mut Value, f: &Filters) {
    let seg = segment_filters(f);
    if !seg.is_empty() {
        body["segmentFilters"] = Value::Array(seg);
    }
    let conv = conversation_filters(f);
    if !conv.is_empty() {
        body["conversationFilters"] = Value::Array(conv);
    }
}

/// Body of `POST /api/v2/analytics/conversations/details/query`.
pub fn sync_query(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    filters: &Filters,
    page_size: u32,
    page_number: u32,
) -> Value {
    let mut body = json!({
        "interval": interval(from, to),
        "order": "asc",
        "orderBy": "conversationStart",
        "paging": { "pageSize": page_size, "pageNumber": page_number },
    });
    add_filters(&mut body, filters);
    body
}

/// Body of `POST …/details/query` for a few known conversations: the user's
/// filters AND `conversationId` ∈ `ids` (a conversation-level dimension in
/// `ConversationDetailQueryPredicate.dimension`). Used to re-read with the
/// sync query conversations that an async job returned unfinished.
pub fn sync_query_for_ids(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    filters: &Filters,
    ids: &[String],
    page_size: u32,
    page_number: u32,
) -> Value {
    let mut body = sync_query(from, to, filters, page_size, page_number);
    let by_id = or_filter("conversationId", ids);
    match body
        .get_mut("conversationFilters")
        .and_then(Value::as_array_mut)
    {
        Some(list) => list.push(by_id),
        None => body["conversationFilters"] = Value::Array(vec![by_id]),
    }
    body
}

/// Body of `POST /api/v2/analytics/conversations/details/jobs`.
pub fn async_job(from: DateTime<Utc>, to: DateTime<Utc>, filters: &Filters) -> Value {
    let mut body = json!({
        "interval": interval(from, to),
        "order": "asc",
        "orderBy": "conversationStart",
    });
    add_filters(&mut body, filters);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn filters_go_where_the_schema_says() {
        let f = Filters {
            queue_ids: vec!["q1".into(), "q2".into()],
            media_types: vec!["voice".into()],
            division_ids: vec!["d1".into()],
            ..Filters::default()
        };
        let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap();
        let b = sync_query(from, to, &f, 100, 3);
        assert_eq!(
            b["interval"],
            "2024-01-01T00:00:00.000Z/2024-01-02T00:00:00.000Z"
        );
        assert_eq!(b["paging"]["pageNumber"], 3);
        let seg = b["segmentFilters"].as_array().unwrap();
        assert_eq!(seg.len(), 2);
        assert_eq!(seg[0]["predicates"][1]["dimension"], "queueId");
        assert_eq!(seg[0]["predicates"][1]["value"], "q2");
        assert_eq!(seg[1]["predicates"][0]["dimension"], "mediaType");
        assert_eq!(
            b["conversationFilters"][0]["predicates"][0]["dimension"],
            "divisionId"
        );
        let a = async_job(from, to, &Filters::default());
        assert!(a.get("paging").is_none());
        assert!(a.get("segmentFilters").is_none());
    }

    /// Direction is how the conversation began (the Direction column), not a
    /// session's direction: it goes to conversationFilters as originatingDirection.
    #[test]
    fn direction_filters_on_the_originating_direction() {
        let f = Filters {
            directions: vec!["outbound".into()],
            division_ids: vec!["d1".into()],
            ..Filters::default()
        };
        let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let b = sync_query(from, from + chrono::Duration::days(1), &f, 100, 1);
        assert!(b.get("segmentFilters").is_none(), "{b}");
        let conv = b["conversationFilters"].as_array().unwrap();
        assert_eq!(conv.len(), 2);
        assert_eq!(
            conv[0]["predicates"][0]["dimension"],
            "originatingDirection"
        );
        assert_eq!(conv[0]["predicates"][0]["value"], "outbound");
        assert_eq!(conv[1]["predicates"][0]["dimension"], "divisionId");
        let a = async_job(from, from + chrono::Duration::days(1), &f);
        assert_eq!(
            a["conversationFilters"][0]["predicates"][0]["dimension"],
            "originatingDirection"
        );
    }

    #[test]
    fn bad_filter_values_are_refused() {
        let f = Filters {
            directions: vec!["sideways".into()],
            ..Filters::default()
        };
        let e = validate_filters(&f).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("directions"));
    }
}
