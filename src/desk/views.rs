//! What the desk's screens show, built from the store for the signed-in role.

use chrono::{DateTime, Duration, Utc};

use super::StaffTile;
use crate::forms::{Decision, FormDefinition, current_state, tr};
use crate::rights::breach::hours_left;
use crate::rights::{FlagKind, RequestStatus};
use crate::store::{Actor, ChainCheck, OpenStore, StoreError};

/// One line of a list; `alert` lines stand out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub alert: bool,
    /// What an action on the line acts on (a rights request's id), or "".
    pub id: String,
}

fn line(text: impl Into<String>, alert: bool) -> Line {
    Line {
        text: text.into(),
        alert,
        id: String::new(),
    }
}

/// A search result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatientRow {
    pub id: String,
    pub name: String,
    pub born: String,
    pub last_visit: String,
}

/// A consent item on the record: its current state and its history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRow {
    pub item: String,
    /// The item's title as the form names it.
    pub title: String,
    pub state: String,
    pub history: String,
    pub can_withdraw: bool,
}

/// The home screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HomeView {
    /// Overdue requests, breach clocks, unusual access: what needs a manager now.
    pub alerts: Vec<Line>,
    pub requests: Vec<Line>,
    pub breaches: Vec<Line>,
    /// The audit chain's state (managers): the desk's own and what each kiosk vouched for.
    pub audit: Vec<Line>,
}

/// An open record, as the signed-in role may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView {
    pub patient_id: String,
    pub title: String,
    pub details: Vec<Line>,
    /// "" when processing is not restricted.
    pub restricted: String,
    pub consents: Vec<ConsentRow>,
    /// `None` for reception (need-to-know).
    pub submissions: Option<Vec<Line>>,
    /// `None` unless a manager.
    pub access: Option<Vec<Line>>,
    /// The erasure statement, once erasure was asked for in this view.
    pub statement: String,
    /// The contact details as stored, for correcting them.
    pub postcode: String,
    pub email: String,
    pub phone: String,
}

fn short_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

pub(super) fn patient_rows(
    open: &OpenStore,
    actor: &Actor,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<PatientRow>, StoreError> {
    ids.iter()
        .map(|id| {
            let identity = open.patient_identity(actor, id, now)?;
            Ok(PatientRow {
                id: id.clone(),
                name: identity.display_name(),
                born: identity.date_of_birth.clone(),
                last_visit: String::new(),
            })
        })
        .collect()
}

pub(super) fn record_view(
    open: &OpenStore,
    actor: &Actor,
    patient_id: &str,
    staff: &[StaffTile],
    now: DateTime<Utc>,
) -> Result<RecordView, StoreError> {
    let record = open.open_record(actor, patient_id, now)?;
    let who = &record.identity;
    let mut details = vec![
        line(format!("Born {}", who.date_of_birth), false),
        line(format!("Postcode {}", or_dash(&who.postcode)), false),
        line(format!("Email {}", or_dash(&who.email)), false),
        line(format!("Phone {}", or_dash(&who.phone)), false),
        line(
            format!("Last visit {}", short_time(&record.last_visit_at)),
            false,
        ),
    ];
    if let Some(at) = &record.erasure_requested_at {
        details.push(line(
            format!(
                "Erasure asked {}: medical record held until its retention end",
                short_time(at)
            ),
            true,
        ));
    }
    let state = current_state(&record.consents);
    let titles = consent_titles(open);
    let consents = state
        .iter()
        .map(|(item, decision)| {
            let history: Vec<String> = record
                .consents
                .iter()
                .filter(|e| &e.item_id == item)
                .map(|e| {
                    format!(
                        "{} {} (text v{}, {})",
                        short_time(&e.recorded_at),
                        decision_word(e.decision),
                        e.text_version,
                        e.language
                    )
                })
                .collect();
            ConsentRow {
                title: titles.get(item).cloned().unwrap_or_else(|| item.clone()),
                item: item.clone(),
                state: decision_word(*decision).to_owned(),
                history: history.join(" · "),
                can_withdraw: decision.is_granted(),
            }
        })
        .collect();
    let submissions = record.submissions.as_ref().map(|list| {
        list.iter()
            .map(|s| {
                line(
                    format!(
                        "{}  form {} v{}{}{}",
                        short_time(&s.created_at),
                        s.form_id,
                        s.form_version,
                        if s.version > 1 {
                            format!(" — amended (version {})", s.version)
                        } else {
                            String::new()
                        },
                        s.source
                            .as_deref()
                            .map(|k| format!(" — from kiosk {}", k.get(..8).unwrap_or(k)))
                            .unwrap_or_default()
                    ),
                    false,
                )
            })
            .collect()
    });
    let access = if actor.role().may_manage() {
        let name = |id: &str| {
            staff
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.name.clone())
                .unwrap_or_else(|| id.to_owned())
        };
        Some(
            open.access_history(actor, patient_id, now)?
                .iter()
                .rev()
                .take(50)
                .map(|e| {
                    line(
                        format!(
                            "{}  {}  {}",
                            short_time(&e.at),
                            name(&e.actor),
                            e.kind.replace('_', " ")
                        ),
                        false,
                    )
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(RecordView {
        patient_id: patient_id.to_owned(),
        title: who.display_name(),
        details,
        restricted: record
            .restricted_at
            .as_deref()
            .map(|at| {
                format!(
                    "Processing restricted since {}: stored only, no marketing, not handed on.",
                    short_time(at)
                )
            })
            .unwrap_or_default(),
        consents,
        submissions,
        access,
        statement: String::new(),
        postcode: who.postcode.clone(),
        email: who.email.clone(),
        phone: who.phone.clone(),
    })
}

/// Consent item titles (English) from the clinic's latest form, or the built-in one.
fn consent_titles(open: &OpenStore) -> std::collections::HashMap<String, String> {
    let form = open
        .active_form()
        .ok()
        .flatten()
        .or_else(|| open.latest_form().ok().flatten())
        .and_then(|(_, json)| FormDefinition::from_stored(&json).ok())
        .unwrap_or_else(FormDefinition::built_in);
    form.consents
        .iter()
        .map(|c| (c.id.clone(), tr(&c.title, "en").to_owned()))
        .collect()
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}

fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Granted => "granted",
        Decision::Refused => "refused",
        Decision::Withdrawn => "withdrawn",
    }
}

pub(super) fn home_view(open: &OpenStore, actor: &Actor, now: DateTime<Utc>) -> HomeView {
    let mut view = HomeView::default();
    let today = now.date_naive();
    if let Ok(requests) = open.rights_requests(actor) {
        for r in requests.iter().filter(|r| r.status == RequestStatus::Open) {
            let overdue = r.is_overdue(today);
            let text = format!(
                "{} request from {} — received {}, due {}{}",
                r.kind.as_str(),
                r.requester,
                r.received_on,
                r.due_on,
                if overdue { " — OVERDUE" } else { "" }
            );
            if overdue {
                view.alerts.push(line(text.clone(), true));
            }
            view.requests.push(Line {
                id: r.id.clone(),
                ..line(text, overdue)
            });
        }
    }
    if actor.role().may_manage() {
        if let Ok(breaches) = open.breaches(actor) {
            for b in &breaches {
                let text = match (&b.reported_at, b.risk.must_report()) {
                    (Some(at), _) => format!("{} — reported {}", b.what_happened, short_time(at)),
                    (None, true) => {
                        let left = hours_left(b.discovered_at, now);
                        if left >= 0 {
                            format!(
                                "{} — report to the ICO: {left} h left of 72",
                                b.what_happened
                            )
                        } else {
                            format!(
                                "{} — report to the ICO is {} h late",
                                b.what_happened, -left
                            )
                        }
                    }
                    (None, false) => format!("{} — recorded, risk unlikely", b.what_happened),
                };
                let urgent = b.reported_at.is_none() && b.risk.must_report();
                if urgent {
                    view.alerts.push(line(text.clone(), true));
                }
                view.breaches.push(Line {
                    id: if urgent { b.id.clone() } else { String::new() },
                    ..line(text, urgent)
                });
            }
        }
        view.audit.push(match open.verify_audit() {
            Ok(ChainCheck::Intact { entries, .. }) => line(
                format!("Audit trail intact: {entries} entries checked."),
                false,
            ),
            Ok(ChainCheck::BrokenAt { seq }) => line(
                format!("Audit trail BROKEN at entry {seq}: entries were altered or removed."),
                true,
            ),
            Err(e) => line(format!("Audit trail could not be checked: {e}"), true),
        });
        for k in open.kiosk_links().unwrap_or_default() {
            view.audit.push(line(
                format!(
                    "Kiosk {}: its last bundle vouched for {} audit entries{}.",
                    k.kiosk_id.get(..8).unwrap_or(&k.kiosk_id),
                    k.audit_length,
                    if k.revoked { " (revoked)" } else { "" }
                ),
                false,
            ));
        }
        if let Ok(flags) = open.unusual_access(actor, now - Duration::days(7)) {
            let names = open.list_staff(now).unwrap_or_default();
            let name = |id: &str| {
                names
                    .iter()
                    .find(|m| m.id == id)
                    .map(|m| m.name.clone())
                    .unwrap_or_else(|| id.to_owned())
            };
            for f in flags {
                let text = match f.kind {
                    FlagKind::ManyRecords => format!(
                        "{} opened {} records between {} and {}",
                        name(&f.actor),
                        f.count,
                        f.from.format("%Y-%m-%d %H:%M"),
                        f.to.format("%H:%M")
                    ),
                    FlagKind::OutOfHours => format!(
                        "{} used records outside opening hours {} time(s) on {}",
                        name(&f.actor),
                        f.count,
                        f.from.format("%Y-%m-%d")
                    ),
                    FlagKind::FailedPins => format!(
                        "{} wrong PINs on {} between {} and {}",
                        f.count,
                        match f.actor.strip_prefix(crate::rights::oversight::KIOSK_PREFIX) {
                            Some(kiosk) => format!("kiosk {}", kiosk.get(..8).unwrap_or(kiosk)),
                            None => "this desk".to_owned(),
                        },
                        f.from.format("%Y-%m-%d %H:%M"),
                        f.to.format("%H:%M")
                    ),
                };
                view.alerts.push(line(text, true));
            }
        }
    }
    view
}
