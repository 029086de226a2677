//! The synthetic organisation and its conversations, generated lazily.
//!
//! Conversation `i` is a pure function of `(seed, i)` and the configuration: it
//! is built on demand and never stored. Starts are monotonic in the index
//! (conversation `i` starts inside the `i`-th of `N` equal slots of the span), so
//! an interval maps to an index range by binary search. Every conversation lasts
//! at most [`MAX_DURATION_MS`] (last wrap-up included), which bounds the look-back
//! for "activity overlapping an interval".
//!
//! A conversation still running at "now" is cut there: segments after now are
//! dropped, the running segment has no `segmentEnd`, metrics not yet emitted are
//! absent and there is no `conversationEnd`. Conversations that would start after
//! "now" do not exist yet.
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::access::Scope;
use crate::query::Matcher;
use crate::rng::{mix, uuid, uuid_bits, Rng};
use crate::SimConfig;

/// The wrap-up code Genesys assigns when after-call work times out.
pub const SYSTEM_WRAP_UP_TIMEOUT: &str = "ININ-WRAP-UP-TIMEOUT";

/// Upper bound of a conversation's activity (first segment start to last segment end).
pub const MAX_DURATION_MS: i64 = 4 * 3600 * 1000;

const QUEUE_NAMES: &[&str] = &[
    "Support, \"Tier 2\" – Zürich",
    "Sales",
    "Billing & Payments",
    "Technical Support",
    "Customer Care",
    "Retentions",
    "Premium, VIP",
    "Service Après-Vente",
    "Renewals",
    "Claims – Ørsted",
    "Onboarding",
    "Collections",
    "Web Chat",
    "Email Desk",
    "Social Messaging",
    "Callbacks",
    "Outbound Campaigns",
    "Escalations \"Priority\"",
    "Soporte Español",
    "Kundenservice München",
];

const FIRST_NAMES: &[&str] = &[
    "José",
    "Anna",
    "Chloé",
    "Liam",
    "Zoë",
    "Mohammed",
    "Björn",
    "Emma",
    "Łukasz",
    "Sofia",
    "Noah",
    "Amélie",
    "Mateo",
    "Saoirse",
    "Yuki",
    "Olivia",
    "François",
    "Aisha",
    "Jürgen",
    "Mia",
];
const LAST_NAMES: &[&str] = &[
    "Álvarez",
    "Smith",
    "O'Brien",
    "Müller",
    "Dubois",
    "Nakamura",
    "García",
    "Johansson",
    "Kowalski",
    "Rossi",
];

const WRAPUP_NAMES: &[&str] = &[
    "Resolved",
    "Resolved, follow-up needed",
    "Not resolved",
    "Transferred",
    "Callback scheduled",
    "Sale – \"Upsell\"",
    "Sale",
    "No sale",
    "Complaint",
    "Billing question",
    "Password reset",
    "Technical issue",
    "Wrong number",
    "Voicemail left",
    "Customer hung up",
    "Information provided",
    "Order placed",
    "Order cancelled",
    "Refund issued",
    "Escalated",
    "Survey offered",
    "Spam",
    "Account updated",
    "Address change",
    "Payment taken",
    "Payment plan",
    "Cancellation",
    "Retention offer accepted",
    "Dépannage à distance",
    "Other",
];

const DIVISION_NAMES: &[&str] = &["Home", "Sales, EMEA", "Support – Zürich"];

const CUSTOMER_NAMES: &[&str] = &[
    "José Álvarez",
    "Smith, John",
    "Zoë \"Zee\" Brontë",
    "Ngozi Okonjo",
    "Søren Kierkegaard",
    "Customer",
    "Renée Faßbender",
    "=cmd|' /C calc'!A0",
];

const NOTES: &[&str] = &[
    "Customer asked about invoice, resolved.",
    "=SUM(A1:A9) customer typed a formula",
    "Called back; said \"thanks\", closed",
    "Escalated to supervisor – see ticket #4411",
    "Multi-line note\nsecond line, with comma",
    "+1 follow-up tomorrow",
    "Réclamation traitée",
];

/// One entity of the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    pub name: String,
    /// Division id (queues, wrap-up codes, users).
    pub division: String,
    /// `active`, `inactive` or `deleted` (users); `active` otherwise.
    pub state: &'static str,
}

/// The deterministic dataset of one emulated org.
#[derive(Debug, Clone)]
pub struct Dataset {
    seed: u64,
    n: u64,
    start_ms: i64,
    span_ms: i64,
    now: Option<DateTime<Utc>>,
    large_share: f64,
    queues: Vec<Entity>,
    users: Vec<Entity>,
    wrapups: Vec<Entity>,
    divisions: Vec<Entity>,
}

/// A compact plan of one conversation: everything needed to render it.
#[derive(Debug, Clone)]
struct Plan {
    index: u64,
    start: i64,
    media: &'static str,
    inbound: bool,
    queue: usize,
    agent: usize,
    second_agent: Option<usize>,
    /// The transfer went to an outside number (an `external` participant
    /// with an outbound session) instead of to the second agent.
    external: bool,
    /// The agent did not pick a wrap-up code in time: `ININ-WRAP-UP-TIMEOUT`.
    timeout_a: bool,
    timeout_b: bool,
    abandoned: bool,
    ivr: i64,
    wait: i64,
    alert: i64,
    talk1: i64,
    hold: i64,
    talk2: i64,
    acw: i64,
    b_alert: i64,
    b_talk: i64,
    b_acw: i64,
    wrapup_a: usize,
    wrapup_b: usize,
    note: Option<usize>,
    customer: usize,
    phone: u64,
    mos: f64,
    rng_ids: u64,
    /// Extra media statistics entries (0 for a compact record).
    padding: u32,
}

impl Plan {
    fn answer(&self) -> i64 {
        self.start + self.ivr + self.wait + self.alert
    }
    /// When agent A stops talking (customer leaves unless transferred).
    fn a_talk_end(&self) -> i64 {
        if self.inbound {
            self.answer() + self.talk1 + self.hold + self.talk2
        } else {
            self.start + self.talk1 + self.hold + self.talk2
        }
    }
    fn customer_end(&self) -> i64 {
        if self.abandoned {
            return self.start + self.ivr + self.wait;
        }
        match self.second_agent {
            Some(_) => self.a_talk_end() + self.b_alert + self.b_talk,
            None => self.a_talk_end(),
        }
    }
    /// End of the last activity (wrap-ups included).
    fn last_activity(&self) -> i64 {
        if self.abandoned {
            return self.customer_end();
        }
        let a = self.a_talk_end() + self.acw;
        match self.second_agent {
            Some(_) if self.external => a.max(self.customer_end()),
            Some(_) => a.max(self.customer_end() + self.b_acw),
            None => a,
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` from epoch milliseconds (hand-rolled: this runs
/// for every timestamp of every conversation served).
fn ms_to_str(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, sec, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{sec:02}.{milli:03}Z")
}

/// Formats an instant the way Genesys does: RFC 3339, milliseconds, `Z`.
pub fn format_time(t: DateTime<Utc>) -> String {
    ms_to_str(t.timestamp_millis())
}

impl Dataset {
    /// Builds the organisation (small, in memory) and the conversation index.
    pub fn new(cfg: &SimConfig) -> Dataset {
        let seed = cfg.seed;
        let id = |kind: u64, i: u64| uuid(Rng::new(seed ^ mix(kind), i).next_u128());
        let divisions: Vec<Entity> = DIVISION_NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| Entity {
                id: id(1, i as u64),
                name: n.to_string(),
                division: String::new(),
                state: "active",
            })
            .collect();
        let div = |i: usize| divisions[i % divisions.len()].id.clone();
        let queues = QUEUE_NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| Entity {
                id: id(2, i as u64),
                name: n.to_string(),
                division: div(i),
                state: "active",
            })
            .collect();
        let wrapups = WRAPUP_NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| Entity {
                id: id(3, i as u64),
                name: n.to_string(),
                division: div(i),
                state: "active",
            })
            .collect();
        let users = (0..200usize)
            .map(|i| {
                let first = FIRST_NAMES[i % FIRST_NAMES.len()];
                let last = LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()];
                Entity {
                    id: id(4, i as u64),
                    name: format!("{first} {last}"),
                    division: div(i),
                    state: match i % 20 {
                        7 => "inactive",
                        13 => "deleted",
                        _ => "active",
                    },
                }
            })
            .collect();
        let span_ms = (cfg.days.max(1) as i64) * 86_400_000;
        Dataset {
            seed,
            n: cfg.conversations,
            start_ms: cfg.start.timestamp_millis(),
            span_ms,
            now: cfg.now,
            large_share: cfg.large_records,
            queues,
            users,
            wrapups,
            divisions,
        }
    }

    /// Number of conversations in the span (including any not yet started at "now").
    pub fn len(&self) -> u64 {
        self.n
    }

    /// True when the dataset has no conversations.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// (id, name) of the queues.
    pub fn queues(&self) -> Vec<(String, String)> {
        pairs(&self.queues)
    }
    /// (id, name) of all users, active or not.
    pub fn users(&self) -> Vec<(String, String)> {
        pairs(&self.users)
    }
    /// (id, name) of the wrap-up codes.
    pub fn wrapup_codes(&self) -> Vec<(String, String)> {
        pairs(&self.wrapups)
    }
    /// (id, name) of the divisions.
    pub fn divisions(&self) -> Vec<(String, String)> {
        pairs(&self.divisions)
    }
    /// Full entities: queues, users (with `state`), wrap-up codes, divisions.
    pub fn queue_entities(&self) -> &[Entity] {
        &self.queues
    }
    /// Users with their `state`.
    pub fn user_entities(&self) -> &[Entity] {
        &self.users
    }
    /// Wrap-up codes with their division.
    pub fn wrapup_entities(&self) -> &[Entity] {
        &self.wrapups
    }
    /// Divisions.
    pub fn division_entities(&self) -> &[Entity] {
        &self.divisions
    }

    /// "Now" as the dataset sees it (the configured instant, or the real clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    /// Start of conversation `index`, in epoch milliseconds.
    pub fn start_ms(&self, index: u64) -> i64 {
        let n = self.n.max(1) as i128;
        let lo = (index as i128 * self.span_ms as i128 / n) as i64;
        let hi = ((index as i128 + 1) * self.span_ms as i128 / n) as i64;
        let mut rng = Rng::new(self.seed, index);
        self.start_ms + lo + rng.below((hi - lo).max(1) as u64) as i64
    }

    /// The id of conversation `index` as a number (its UUID string sorts the same way).
    pub fn id_bits(&self, index: u64) -> u128 {
        uuid_bits(Rng::new(self.seed ^ 0xC0FF_EE00, index).next_u128())
    }

    /// The conversation id of `index`.
    pub fn conversation_id(&self, index: u64) -> String {
        uuid(self.id_bits(index))
    }

    /// True when several conversations may share one millisecond (then index
    /// order and (start, id) order can differ and lists are sorted explicitly).
    pub fn ties_possible(&self) -> bool {
        (self.span_ms as u64) < self.n
    }

    /// First index whose start is `>= t_ms` (binary search; starts are monotonic).
    pub fn first_index_at_or_after(&self, t_ms: i64) -> u64 {
        let (mut lo, mut hi) = (0u64, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.start_ms(mid) < t_ms {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Number of conversations that exist at "now" (started at or before it).
    pub fn visible_len(&self) -> u64 {
        self.first_index_at_or_after(self.now().timestamp_millis() + 1)
    }

    /// Index range of conversations starting in `[from_ms, to_ms)` that exist now.
    pub fn started_range(&self, from_ms: i64, to_ms: i64) -> (u64, u64) {
        let cap = self.visible_len();
        let a = self.first_index_at_or_after(from_ms).min(cap);
        let b = self.first_index_at_or_after(to_ms).min(cap);
        (a, b.max(a))
    }

    /// End of the last activity of conversation `index` (may be after "now").
    pub fn last_activity_ms(&self, index: u64) -> i64 {
        self.plan(index).last_activity()
    }

    fn plan(&self, index: u64) -> Plan {
        let start = self.start_ms(index);
        let mut r = Rng::new(self.seed ^ 0x005E_ED0F_C0DE, index);
        let media = match r.below(100) {
            0..=69 => "voice",
            70..=79 => "chat",
            80..=86 => "email",
            87..=94 => "message",
            _ => "callback",
        };
        let inbound = media == "callback" || media == "chat" || !r.chance(0.15);
        let n_users = self.users.len() as u64;
        // Mostly active agents; departed ones still appear in history.
        let agent = r.below(n_users) as usize;
        let second = {
            let b = r.below(n_users) as usize;
            if b == agent {
                (b + 1) % self.users.len()
            } else {
                b
            }
        };
        let long = media == "email";
        let abandoned = inbound && r.chance(0.08);
        let transferred = !abandoned && r.chance(0.10);
        let talk_max = if long { 5_400_000 } else { 1_500_000 };
        // Drawn apart from `r` so the rest of the plan stays as it was.
        let flags = mix(self.seed ^ 0x5157_E4C0_DE00 ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        Plan {
            index,
            start,
            media,
            inbound,
            queue: r.below(self.queues.len() as u64) as usize,
            agent,
            second_agent: transferred.then_some(second),
            // About a third of transferred inbound calls go to an outside number.
            external: transferred && inbound && media == "voice" && flags.is_multiple_of(3),
            // About 1 in 20 wrap-ups time out (ININ-WRAP-UP-TIMEOUT).
            timeout_a: (flags >> 8).is_multiple_of(20),
            timeout_b: (flags >> 16).is_multiple_of(20),
            abandoned,
            ivr: if inbound && media == "voice" {
                r.range(5_000, 90_000)
            } else {
                0
            },
            wait: if inbound { r.range(1_000, 600_000) } else { 0 },
            alert: if inbound { r.range(1_000, 20_000) } else { 0 },
            talk1: r.range(20_000, talk_max),
            hold: if media == "voice" && r.chance(0.3) {
                r.range(5_000, 300_000)
            } else {
                0
            },
            talk2: r.range(1_000, 300_000),
            acw: r.range(0, 300_000),
            b_alert: r.range(1_000, 20_000),
            b_talk: r.range(10_000, 900_000),
            b_acw: r.range(0, 300_000),
            wrapup_a: r.below(self.wrapups.len() as u64) as usize,
            wrapup_b: r.below(self.wrapups.len() as u64) as usize,
            note: r.chance(0.3).then(|| r.below(NOTES.len() as u64) as usize),
            customer: r.below(CUSTOMER_NAMES.len() as u64) as usize,
            phone: 2_000_000 + r.below(7_999_999),
            mos: 3.5 + (r.below(140) as f64) / 100.0,
            rng_ids: r.next_u64(),
            padding: {
                // A separate stream: the size mix never changes the rest.
                let mut z = Rng::new(self.seed ^ 0x0051_23E5, index);
                if z.unit() < self.large_share {
                    z.range(36, 58) as u32
                } else {
                    0
                }
            },
        }
    }

    /// The division id of conversation `index` (its `divisionIds` hold only this one).
    pub fn division_of(&self, index: u64) -> &str {
        &self.queues[self.plan(index).queue].division
    }

    /// The user ids of the agents of conversation `index` (none when abandoned).
    pub fn participant_user_ids(&self, index: u64) -> Vec<String> {
        let p = self.plan(index);
        if p.abandoned {
            return Vec::new();
        }
        let mut ids = vec![self.users[p.agent].id.clone()];
        if let Some(b) = p.second_agent {
            ids.push(self.users[b].id.clone());
        }
        ids
    }

    /// Fast pre-check of a filter from the conversation's plan (no JSON is
    /// built): `false` means `matcher` cannot match conversation `index`.
    pub fn may_match(&self, index: u64, matcher: &Matcher) -> bool {
        let p = self.plan(index);
        let queue = &self.queues[p.queue];
        let has = |dim: &str, v: &str| -> Option<bool> {
            Some(match dim {
                "queueId" => queue.id == v,
                "mediaType" => p.media == v,
                "originatingDirection" => v == if p.inbound { "inbound" } else { "outbound" },
                // Sessions follow the conversation, except the outbound leg of
                // a transfer to an outside number.
                "direction" => {
                    v == (if p.inbound { "inbound" } else { "outbound" })
                        || (p.external && v == "outbound")
                }
                "userId" => {
                    self.users[p.agent].id == v
                        || (!p.external && p.second_agent.is_some_and(|b| self.users[b].id == v))
                }
                "wrapUpCode" => {
                    self.wrap_up_code(&p, false) == v || self.wrap_up_code(&p, true) == v
                }
                "divisionId" => queue.division == v,
                _ => return None,
            })
        };
        matcher.may_match(&has)
    }

    /// The wrap-up code agent A (or B) chose, or the system code Genesys
    /// assigns when after-call work timed out (help.mypurecloud.com/articles/configure-call-work-settings/:
    /// "Genesys Cloud assigns the default ININ-WRAP-UP-TIMEOUT wrap up code").
    fn wrap_up_code(&self, p: &Plan, second: bool) -> &str {
        let (timeout, code) = if second {
            (p.timeout_b, p.wrapup_b)
        } else {
            (p.timeout_a, p.wrapup_a)
        };
        if timeout {
            SYSTEM_WRAP_UP_TIMEOUT
        } else {
            &self.wrapups[code].id
        }
    }

    /// The `AnalyticsConversation` JSON of conversation `index` (with participant
    /// `attributes`, as async jobs return it).
    pub fn conversation(&self, index: u64) -> Value {
        self.render(index, true)
    }

    /// The conversation as the sync query returns it (`...WithoutAttributes`).
    pub fn conversation_without_attributes(&self, index: u64) -> Value {
        self.render(index, false)
    }

    /// The conversation as it was at `at` (an older copy: a conversation
    /// still running then has no `conversationEnd`, fewer segments and
    /// metrics). `at` is capped at "now".
    pub fn conversation_at(&self, index: u64, attributes: bool, at: DateTime<Utc>) -> Value {
        let now = self.now().timestamp_millis();
        self.render_at(index, attributes, at.timestamp_millis().min(now))
    }

    /// An instant while conversation `index` was still running (the middle
    /// of its activity), for older copies.
    pub fn midway(&self, index: u64) -> DateTime<Utc> {
        let p = self.plan(index);
        let mid = p.start + (p.last_activity() - p.start) / 2;
        DateTime::from_timestamp_millis(mid).unwrap_or_default()
    }

    fn render(&self, index: u64, attributes: bool) -> Value {
        self.render_at(index, attributes, self.now().timestamp_millis())
    }

    fn render_at(&self, index: u64, attributes: bool, now: i64) -> Value {
        let p = self.plan(index);
        let mut ids = Rng::new(p.rng_ids, index);
        let mut next_id = || uuid(ids.next_u128());
        let queue = &self.queues[p.queue];
        let division = queue.division.clone();
        let customer_name = CUSTOMER_NAMES[p.customer];
        let customer_phone = format!("+1317{:07}", p.phone);
        let contact_center = "+18005550100".to_string();
        let mut participants = Vec::new();

        // Customer.
        let cust_end = p.customer_end();
        let mut customer = Part::new(next_id(), "customer", Some(customer_name.to_string()), None);
        let mut cs = Sess::new(next_id(), p.media, p.inbound);
        cs.address(&p, &customer_phone, &contact_center);
        cs.seg("interact", p.start, cust_end, None, |s| {
            s.insert(
                "disconnectType".into(),
                json!(if p.abandoned { "peer" } else { "endpoint" }),
            );
        });
        if p.padding > 0 {
            // Large records: real ones are 10–20 KB (media statistics over a
            // long call, many attributes). Statistics entries of ~200 bytes
            // each, emitted through the conversation.
            let stats: Vec<Value> = (0..p.padding)
                .map(|k| {
                    let t = p.start + (cust_end - p.start) * k as i64 / p.padding as i64;
                    json!({"codecs": ["audio/opus"], "minMos": 4.2 + (k % 7) as f64 / 100.0,
                           "minRFactor": 88.5 - (k % 5) as f64 / 10.0, "maxLatencyMs": 40 + k % 60,
                           "receivedPackets": 2_500 + k * 97, "invalidPackets": k % 3,
                           "discardedPackets": k % 4, "duplicatePackets": 0, "overrunPackets": 0,
                           "underrunPackets": k % 2, "eventTime": ms_to_str(t)})
                })
                .collect();
            cs.extra
                .insert("mediaEndpointStats".into(), Value::Array(stats));
        }
        customer.sessions.push(cs);
        if attributes {
            customer.attributes = Some(json!({
                "Account Number": format!("{:08}", p.phone % 100_000_000),
                "Reason": if p.index.is_multiple_of(3) { "Billing, \"urgent\"" } else { "General enquiry" },
                "Language": "de-CH",
            }));
        }
        participants.push(customer);

        // IVR (inbound voice).
        if p.ivr > 0 {
            let mut ivr = Part::new(next_id(), "ivr", Some("Main IVR – Menü".into()), None);
            let mut s = Sess::new(next_id(), p.media, true);
            s.address(&p, &customer_phone, &contact_center);
            s.seg("ivr", p.start, p.start + p.ivr, None, |s| {
                s.insert("disconnectType".into(), json!("transfer"));
            });
            s.metric("tIvr", p.ivr, p.start + p.ivr);
            s.extra.insert(
                "flow".into(),
                json!({"flowId": next_id(), "flowName": "Main IVR – Menü", "flowType": "INBOUNDCALL",
                       "entryType": "dnis", "exitReason": "TRANSFER", "transferType": "ACD"}),
            );
            ivr.sessions.push(s);
            participants.push(ivr);
        }

        // ACD (inbound).
        let acd_start = p.start + p.ivr;
        if p.inbound {
            let mut acd = Part::new(next_id(), "acd", Some(queue.name.clone()), None);
            let mut s = Sess::new(next_id(), p.media, true);
            s.address(&p, &customer_phone, &contact_center);
            let acd_end = if p.abandoned { cust_end } else { p.answer() };
            s.seg("interact", acd_start, acd_end, Some(&queue.id), |s| {
                s.insert(
                    "disconnectType".into(),
                    json!(if p.abandoned { "peer" } else { "transfer" }),
                );
            });
            s.metric("nOffered", 1, acd_start);
            s.metric("tAcd", acd_end - acd_start, acd_end);
            if p.abandoned {
                s.metric("tAbandon", acd_end - acd_start, acd_end);
            }
            s.extra
                .insert("requestedRoutings".into(), json!(["Standard"]));
            s.extra.insert("usedRouting".into(), json!("Standard"));
            acd.sessions.push(s);
            participants.push(acd);
        }

        // Agent A, then B after a transfer.
        if !p.abandoned {
            let user = &self.users[p.agent];
            let mut a = Part::new(next_id(), "agent", Some(user.name.clone()), Some(&user.id));
            let mut s = Sess::new(next_id(), p.media, p.inbound);
            s.address(&p, &customer_phone, &contact_center);
            let mut t = if p.inbound {
                acd_start + p.wait
            } else {
                p.start
            };
            if p.inbound {
                s.seg("alert", t, t + p.alert, Some(&queue.id), |_| {});
                t += p.alert;
                s.metric("tAlert", p.alert, t);
                s.metric("tAnswered", p.wait + p.alert, t);
            } else {
                s.metric("nOutbound", 1, t);
            }
            s.metric("nConnected", 1, t);
            let talk_end = p.a_talk_end();
            let disconnect = if p.second_agent.is_some() {
                "transfer"
            } else {
                "peer"
            };
            if p.hold > 0 {
                s.seg("interact", t, t + p.talk1, Some(&queue.id), |_| {});
                s.seg(
                    "hold",
                    t + p.talk1,
                    t + p.talk1 + p.hold,
                    Some(&queue.id),
                    |_| {},
                );
                s.metric("tHeld", p.hold, t + p.talk1 + p.hold);
                s.seg(
                    "interact",
                    t + p.talk1 + p.hold,
                    talk_end,
                    Some(&queue.id),
                    |s| {
                        s.insert("disconnectType".into(), json!(disconnect));
                    },
                );
            } else {
                s.seg("interact", t, talk_end, Some(&queue.id), |s| {
                    s.insert("disconnectType".into(), json!(disconnect));
                });
            }
            let talk = p.talk1 + p.talk2;
            s.metric("tTalk", talk, talk_end);
            if p.second_agent.is_some() {
                s.metric("nTransferred", 1, talk_end);
                s.metric("nBlindTransferred", 1, talk_end);
            }
            let wrap_end = talk_end + p.acw;
            let code = self.wrap_up_code(&p, false);
            let note = p.note.map(|n| NOTES[n]);
            s.seg("wrapup", talk_end, wrap_end, Some(&queue.id), |s| {
                s.insert("wrapUpCode".into(), json!(code));
                if let Some(n) = note {
                    s.insert("wrapUpNote".into(), json!(n));
                }
            });
            s.metric("tTalkComplete", talk, wrap_end);
            if p.hold > 0 {
                s.metric("tHeldComplete", p.hold, wrap_end);
            }
            s.metric("tAcw", p.acw, wrap_end);
            s.metric("tHandle", talk + p.hold + p.acw, wrap_end);
            if p.media == "callback" {
                s.extra
                    .insert("callbackNumbers".into(), json!([customer_phone.clone()]));
            }
            a.sessions.push(s);
            participants.push(a);

            if p.external {
                // A blind transfer to an outside number: the conversation stays
                // inbound (originatingDirection) but this leg is outbound.
                let number = format!("+1312555{:04}", p.phone % 10_000);
                let mut xp = Part::new(next_id(), "external", Some(number.clone()), None);
                let mut s = Sess::new(next_id(), p.media, false);
                s.extra.insert("ani".into(), json!(contact_center));
                s.extra.insert("dnis".into(), json!(number));
                let t = talk_end;
                s.seg("dialing", t, t + p.b_alert, None, |_| {});
                s.seg("interact", t + p.b_alert, cust_end, None, |s| {
                    s.insert("disconnectType".into(), json!("peer"));
                });
                xp.sessions.push(s);
                participants.push(xp);
            } else if let Some(b) = p.second_agent {
                let user = &self.users[b];
                let mut bp = Part::new(next_id(), "agent", Some(user.name.clone()), Some(&user.id));
                let mut s = Sess::new(next_id(), p.media, p.inbound);
                s.address(&p, &customer_phone, &contact_center);
                let t = talk_end;
                s.seg("alert", t, t + p.b_alert, Some(&queue.id), |_| {});
                s.metric("tAlert", p.b_alert, t + p.b_alert);
                s.metric("nConnected", 1, t + p.b_alert);
                s.seg("interact", t + p.b_alert, cust_end, Some(&queue.id), |s| {
                    s.insert("disconnectType".into(), json!("peer"));
                });
                s.metric("tTalk", p.b_talk, cust_end);
                let wrap_end = cust_end + p.b_acw;
                let code = self.wrap_up_code(&p, true);
                s.seg("wrapup", cust_end, wrap_end, Some(&queue.id), |s| {
                    s.insert("wrapUpCode".into(), json!(code));
                });
                s.metric("tTalkComplete", p.b_talk, wrap_end);
                s.metric("tAcw", p.b_acw, wrap_end);
                s.metric("tHandle", p.b_talk + p.b_acw, wrap_end);
                bp.sessions.push(s);
                participants.push(bp);
            }
        }

        let mut conv = Map::new();
        conv.insert("conversationId".into(), json!(self.conversation_id(index)));
        conv.insert("conversationStart".into(), json!(ms_to_str(p.start)));
        if cust_end <= now {
            conv.insert("conversationEnd".into(), json!(ms_to_str(cust_end)));
        }
        conv.insert(
            "originatingDirection".into(),
            json!(if p.inbound { "inbound" } else { "outbound" }),
        );
        conv.insert(
            "conversationInitiator".into(),
            json!(if p.inbound { "customer" } else { "agent" }),
        );
        conv.insert("customerParticipation".into(), json!(true));
        conv.insert("divisionIds".into(), json!([division]));
        if p.media == "voice" {
            conv.insert("mediaStatsMinConversationMos".into(), json!(p.mos));
        }
        if p.index.is_multiple_of(11) {
            conv.insert("externalTag".into(), json!(format!("EXT-{}", p.index)));
        }
        let parts: Vec<Value> = participants
            .into_iter()
            .filter_map(|x| x.render(now))
            .collect();
        conv.insert("participants".into(), Value::Array(parts));
        Value::Object(conv)
    }

    /// Ground truth for tests: ids of conversations that STARTED in `[from, to)`,
    /// exist at "now" and match the query's `segmentFilters`/`conversationFilters`
    /// (a `ConversationQuery`-shaped body; its interval is ignored), ordered by
    /// `conversationStart` then id. Panics on an invalid filter (test helper).
    pub fn ground_truth(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        query: &Value,
    ) -> Vec<String> {
        self.ground_truth_for(from, to, query, &Scope::all())
    }

    /// [`Dataset::ground_truth`] as a signed-in user with `scope` sees it (see
    /// [`crate::access::user_scope`]).
    pub fn ground_truth_for(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        query: &Value,
        scope: &Scope,
    ) -> Vec<String> {
        let matcher = match Matcher::from_json(query) {
            Ok(m) => m,
            Err(e) => panic!("ground_truth: invalid filters: {e}"),
        };
        let (a, b) = self.started_range(from.timestamp_millis(), to.timestamp_millis());
        let list: Vec<u32> = (a..b)
            .filter(|&i| scope.sees(self, i))
            .filter(|&i| matcher.is_empty() || matcher.matches(&self.conversation(i)))
            .map(|i| i as u32)
            .collect();
        self.sort_by_start_then_id(list)
            .into_iter()
            .map(|i| self.conversation_id(i as u64))
            .collect()
    }

    /// Sorts indices by (start, id) when ties are possible (else index order is it).
    pub fn sort_by_start_then_id(&self, mut list: Vec<u32>) -> Vec<u32> {
        if self.ties_possible() {
            list.sort_by_cached_key(|&i| (self.start_ms(i as u64), self.id_bits(i as u64)));
        }
        list
    }
}

fn pairs(e: &[Entity]) -> Vec<(String, String)> {
    e.iter().map(|x| (x.id.clone(), x.name.clone())).collect()
}

/// A participant under construction.
struct Part {
    id: String,
    purpose: &'static str,
    name: Option<String>,
    user_id: Option<String>,
    attributes: Option<Value>,
    sessions: Vec<Sess>,
}

impl Part {
    fn new(id: String, purpose: &'static str, name: Option<String>, user: Option<&String>) -> Part {
        Part {
            id,
            purpose,
            name,
            user_id: user.cloned(),
            attributes: None,
            sessions: Vec::new(),
        }
    }

    /// JSON cut at `now`; `None` when nothing of it has happened yet.
    fn render(self, now: i64) -> Option<Value> {
        let sessions: Vec<Value> = self
            .sessions
            .into_iter()
            .filter_map(|s| s.render(now))
            .collect();
        if sessions.is_empty() {
            return None;
        }
        let mut m = Map::new();
        m.insert("participantId".into(), json!(self.id));
        if let Some(n) = self.name {
            m.insert("participantName".into(), json!(n));
        }
        m.insert("purpose".into(), json!(self.purpose));
        if let Some(u) = self.user_id {
            m.insert("userId".into(), json!(u));
        }
        if let Some(a) = self.attributes {
            m.insert("attributes".into(), a);
        }
        m.insert("sessions".into(), Value::Array(sessions));
        Some(Value::Object(m))
    }
}

/// A session under construction: segments as (start, end, fields), metrics as
/// (name, value, emit time).
struct Sess {
    extra: Map<String, Value>,
    segments: Vec<(i64, i64, Map<String, Value>)>,
    metrics: Vec<(&'static str, i64, i64)>,
}

impl Sess {
    fn new(id: String, media: &'static str, inbound: bool) -> Sess {
        let mut extra = Map::new();
        extra.insert("mediaType".into(), json!(media));
        extra.insert("sessionId".into(), json!(id));
        extra.insert(
            "direction".into(),
            json!(if inbound { "inbound" } else { "outbound" }),
        );
        Sess {
            extra,
            segments: Vec::new(),
            metrics: Vec::new(),
        }
    }

    fn address(&mut self, p: &Plan, customer: &str, centre: &str) {
        let (ani, dnis) = if p.inbound {
            (customer, centre)
        } else {
            (centre, customer)
        };
        match p.media {
            "voice" | "callback" => {
                self.extra.insert("ani".into(), json!(ani));
                self.extra.insert("dnis".into(), json!(dnis));
            }
            "email" => {
                self.extra
                    .insert("addressFrom".into(), json!("customer@example.com"));
                self.extra
                    .insert("addressTo".into(), json!("support@example.com"));
            }
            _ => {
                self.extra.insert("addressFrom".into(), json!(ani));
                self.extra.insert("addressTo".into(), json!(dnis));
            }
        }
    }

    fn seg(
        &mut self,
        kind: &str,
        start: i64,
        end: i64,
        queue: Option<&String>,
        more: impl FnOnce(&mut Map<String, Value>),
    ) {
        let mut m = Map::new();
        m.insert("segmentType".into(), json!(kind));
        if let Some(q) = queue {
            m.insert("queueId".into(), json!(q));
        }
        more(&mut m);
        self.segments.push((start, end, m));
    }

    fn metric(&mut self, name: &'static str, value: i64, emit: i64) {
        self.metrics.push((name, value, emit));
    }

    fn render(self, now: i64) -> Option<Value> {
        let mut segs = Vec::new();
        for (start, end, mut fields) in self.segments {
            if start > now {
                continue;
            }
            let mut m = Map::new();
            m.insert("segmentStart".into(), json!(ms_to_str(start)));
            if end <= now {
                m.insert("segmentEnd".into(), json!(ms_to_str(end)));
            } else {
                fields.remove("disconnectType");
            }
            m.append(&mut fields);
            segs.push(Value::Object(m));
        }
        if segs.is_empty() {
            return None;
        }
        let metrics: Vec<Value> = self
            .metrics
            .into_iter()
            .filter(|m| m.2 <= now)
            .map(|(name, value, emit)| json!({"name": name, "value": value, "emitDate": ms_to_str(emit)}))
            .collect();
        let mut m = self.extra;
        m.insert("metrics".into(), Value::Array(metrics));
        m.insert("segments".into(), Value::Array(segs));
        Some(Value::Object(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_format_matches_chrono() {
        for ms in [
            0i64,
            1,
            951_782_400_123,
            1_774_746_000_000,
            4_102_444_799_999,
            -1,
            -86_400_001,
        ] {
            let want = Utc
                .timestamp_millis_opt(ms)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            assert_eq!(ms_to_str(ms), want, "{ms}");
        }
    }
}
