//! What the desk's screens show, built from the store for the signed-in role.

use chrono::{DateTime, Duration, Utc};

use super::DeskRecords;
use super::StaffTile;
use crate::forms::{Decision, FormDefinition, current_state, tr};
use crate::i18n::{t, tn};
use crate::rights::breach::hours_left;
use crate::rights::{FlagKind, RequestKind, RequestStatus};
use crate::store::{Actor, ChainCheck, ListedPatient, StoreError};

/// One line of a list; `alert` lines stand out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub alert: bool,
    /// What an action on the line acts on (a rights request's id), or "".
    pub id: String,
}

pub(super) fn line(text: impl Into<String>, alert: bool) -> Line {
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
    /// What tells namesakes born the same day apart ("" when none was given).
    pub postcode: String,
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

/// One submission opened in full (clinicians and managers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormView {
    pub submission_id: String,
    pub title: String,
    pub rows: Vec<crate::forms::AnswerRow>,
    /// SVG path data of the signature (600×200 box).
    pub signature_path: String,
    /// Earlier versions of the answers: when, who, why.
    pub history: Vec<Line>,
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
    /// Kiosks paired here whose code a manager has not yet confirmed (id = the kiosk's id).
    pub pending_kiosks: Vec<Line>,
    /// Every kiosk not revoked, confirmed or waiting (id = the kiosk's id): what a manager may
    /// revoke.
    pub kiosks: Vec<Line>,
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
    /// Other records (from the last search) a manager may merge into this one: id and words.
    pub merge_candidates: Vec<Line>,
    /// This record is a duplicate that was merged into another (nothing more is merged into it).
    pub merged: bool,
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

/// The register's rows for the patients a search found.
pub(super) fn patient_rows(found: &[ListedPatient]) -> Vec<PatientRow> {
    found
        .iter()
        .map(|p| PatientRow {
            id: p.patient_id.clone(),
            name: p.identity.display_name(),
            born: p.identity.date_of_birth.clone(),
            postcode: p.identity.postcode.clone(),
        })
        .collect()
}

/// Who reads a record or a form: the signed-in staff member over the records, the staff (to
/// name who did what), the staff's language and the time.
#[derive(Clone, Copy)]
pub(super) struct Reader<'a> {
    pub records: &'a dyn DeskRecords,
    pub actor: &'a Actor,
    pub staff: &'a [StaffTile],
    pub lang: &'a str,
    pub now: DateTime<Utc>,
}

impl Reader<'_> {
    /// A staff member's name, or the id when they are not (or no longer) on the list.
    fn staff_name(&self, id: &str) -> String {
        self.staff
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| id.to_owned(), |t| t.name.clone())
    }
}

pub(super) fn record_view(reader: &Reader, patient_id: &str) -> Result<RecordView, StoreError> {
    let (open, actor, now, lang) = (reader.records, reader.actor, reader.now, reader.lang);
    let record = open.open_record(actor, patient_id, now)?;
    let who = &record.identity;
    let mut details = vec![
        line(t(lang, "Born {}", &[&who.date_of_birth]), false),
        line(t(lang, "Postcode {}", &[or_dash(&who.postcode)]), false),
        line(t(lang, "Email {}", &[or_dash(&who.email)]), false),
        line(t(lang, "Phone {}", &[or_dash(&who.phone)]), false),
        line(
            t(lang, "Last visit {}", &[&short_time(&record.last_visit_at)]),
            false,
        ),
    ];
    if let Some((into, at)) = &record.merged_into {
        details.push(line(
            t(
                lang,
                "Merged into record {} on {}: its forms and consent decisions are there now.",
                &[into, &short_time(at)],
            ),
            true,
        ));
    }
    if let Some(at) = &record.erasure_requested_at {
        details.push(line(
            t(
                lang,
                "Erasure asked {}: medical record held until its retention end",
                &[&short_time(at)],
            ),
            true,
        ));
    }
    let state = current_state(&record.consents);
    let items = consent_items(open, lang);
    // The form's order (treatment first, as the patient saw them); items of older forms after.
    let position = |item: &str| {
        items
            .iter()
            .position(|(id, _)| id == item)
            .unwrap_or(items.len())
    };
    let mut consents: Vec<ConsentRow> = state
        .iter()
        .map(|(item, decision)| {
            let history: Vec<String> = record
                .consents
                .iter()
                .filter(|e| &e.item_id == item)
                .map(|e| {
                    t(
                        lang,
                        "{} {} (text v{}, {})",
                        &[
                            &short_time(&e.recorded_at),
                            &decision_word(e.decision, lang),
                            &e.text_version,
                            &e.language,
                        ],
                    )
                })
                .collect();
            ConsentRow {
                title: items
                    .iter()
                    .find(|(id, _)| id == item)
                    .map_or_else(|| item.clone(), |(_, title)| title.clone()),
                item: item.clone(),
                state: decision_word(*decision, lang),
                history: history.join(" · "),
                // A merged duplicate's decisions live on in the record it was merged into.
                can_withdraw: decision.is_granted() && record.merged_into.is_none(),
            }
        })
        .collect();
    consents.sort_by_key(|row| position(&row.item));
    let submissions = record.submissions.as_ref().map(|list| {
        list.iter()
            .map(|s| Line {
                id: s.id.clone(),
                ..line(
                    {
                        let mut text = t(
                            lang,
                            "{}  form {} v{}",
                            &[&short_time(&s.created_at), &s.form_id, &s.form_version],
                        );
                        if s.version > 1 {
                            text.push_str(&t(
                                lang,
                                " — amended (version {})",
                                &[&s.version.to_string()],
                            ));
                        }
                        if let Some(k) = s.source.as_deref() {
                            text.push_str(&t(lang, " — from kiosk {}", &[short_kiosk_id(k)]));
                        }
                        text
                    },
                    false,
                )
            })
            .collect()
    });
    let access = if actor.role().may_manage() {
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
                            reader.staff_name(&e.actor),
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
                t(
                    lang,
                    "Processing restricted since {}: stored only, no marketing, not handed on.",
                    &[&short_time(at)],
                )
            })
            .unwrap_or_default(),
        consents,
        submissions,
        access,
        statement: String::new(),
        merge_candidates: Vec::new(),
        merged: record.merged_into.is_some(),
        postcode: who.postcode.clone(),
        email: who.email.clone(),
        phone: who.phone.clone(),
    })
}

/// Consent items as (id, title in `lang`), in the order of the clinic's latest form, or of the
/// built-in one.
fn consent_items(open: &dyn DeskRecords, lang: &str) -> Vec<(String, String)> {
    let form = open
        .current_form()
        .ok()
        .flatten()
        .and_then(|(_, json)| FormDefinition::from_stored(&json).ok())
        .unwrap_or_else(FormDefinition::built_in);
    form.consents
        .iter()
        .map(|c| (c.id.clone(), tr(&c.title, lang).to_owned()))
        .collect()
}

/// A kiosk's id as the desk's lines show it: its first eight characters.
pub(super) fn short_kiosk_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

pub(super) fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}

fn decision_word(d: Decision, lang: &str) -> String {
    match d {
        Decision::Granted => t(lang, "granted", &[]),
        Decision::Refused => t(lang, "refused", &[]),
        Decision::Withdrawn => t(lang, "withdrawn", &[]),
    }
}

/// A request kind in the staff's language.
fn kind_word(kind: RequestKind, lang: &str) -> String {
    match kind {
        RequestKind::Access => t(lang, "access", &[]),
        RequestKind::Portability => t(lang, "portability", &[]),
        RequestKind::Rectification => t(lang, "rectification", &[]),
        RequestKind::Erasure => t(lang, "erasure", &[]),
        RequestKind::Restriction => t(lang, "restriction", &[]),
        RequestKind::Objection => t(lang, "objection", &[]),
        RequestKind::Withdrawal => t(lang, "withdrawal", &[]),
    }
}

pub(super) fn home_view(
    open: &dyn DeskRecords, actor: &Actor, lang: &str, now: DateTime<Utc>,
) -> HomeView {
    let mut view = HomeView::default();
    let today = now.date_naive();
    // First, for everyone: what the desk dates now, and the deadlines it shows, hang on it.
    if let Ok(Some(recorded)) = super::actions::clock_behind(open, now) {
        view.alerts.push(line(
            t(
                lang,
                "The clock reads {}, before {}, which this desk has already recorded: deadlines shown count from the wrong time, and corrections, withdrawals, requests and breaches are refused until the date and time are set (a manager may confirm a clock that is right).",
                &[&super::action_words::clock_time(now), &super::action_words::clock_time(recorded)],
            ),
            true,
        ));
    }
    if let Ok(requests) = open.rights_requests(actor) {
        for r in requests.iter().filter(|r| r.status == RequestStatus::Open) {
            let overdue = r.is_overdue(today);
            let mut text = t(
                lang,
                "{} request from {} — received {}, due {}",
                &[
                    &kind_word(r.kind, lang),
                    &r.requester,
                    &r.received_on.to_string(),
                    &r.due_on.to_string(),
                ],
            );
            if overdue {
                text.push_str(&t(lang, " — OVERDUE", &[]));
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
                let what = b.what_happened.as_str();
                let text = match (&b.reported_at, b.risk.must_report()) {
                    (Some(at), _) => t(lang, "{} — reported {}", &[what, &short_time(at)]),
                    (None, true) => {
                        let left = hours_left(b.discovered_at, now);
                        if left >= 0 {
                            t(
                                lang,
                                "{} — report to the ICO: {} h left of 72",
                                &[what, &left.to_string()],
                            )
                        } else {
                            t(
                                lang,
                                "{} — report to the ICO is {} h late",
                                &[what, &(-left).to_string()],
                            )
                        }
                    }
                    (None, false) => t(lang, "{} — recorded, risk unlikely", &[what]),
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
                t(
                    lang,
                    "Audit trail intact: {} entries checked.",
                    &[&entries.to_string()],
                ),
                false,
            ),
            Ok(ChainCheck::BrokenAt { seq }) => line(
                t(
                    lang,
                    "Audit trail BROKEN at entry {}: entries were altered or removed.",
                    &[&seq.to_string()],
                ),
                true,
            ),
            Err(e) => line(
                t(
                    lang,
                    "Audit trail could not be checked: {}",
                    &[&e.to_string()],
                ),
                true,
            ),
        });
        for k in open.kiosk_links().unwrap_or_default() {
            let mut text = t(
                lang,
                "Kiosk {}: its last bundle vouched for {} audit entries.",
                &[short_kiosk_id(&k.kiosk_id), &k.audit_length.to_string()],
            );
            if !k.revoked && !k.confirmed {
                view.pending_kiosks.push(Line {
                    text: t(
                        lang,
                        "Kiosk {} is waiting: type the code its screen shows",
                        &[short_kiosk_id(&k.kiosk_id)],
                    ),
                    alert: false,
                    id: k.kiosk_id.clone(),
                });
            }
            if !k.revoked {
                view.kiosks.push(Line {
                    text: t(
                        lang,
                        "Kiosk {}: paired {}, {}.",
                        &[
                            short_kiosk_id(&k.kiosk_id),
                            k.paired_at.get(..10).unwrap_or(&k.paired_at),
                            &if k.confirmed {
                                t(lang, "confirmed", &[])
                            } else {
                                t(lang, "waiting for confirmation", &[])
                            },
                        ],
                    ),
                    alert: false,
                    id: k.kiosk_id.clone(),
                });
            }
            if k.revoked {
                text.push_str(&t(lang, " (revoked)", &[]));
            } else if !k.confirmed {
                text.push_str(&t(
                    lang,
                    " (pairing not confirmed: its bundles are refused)",
                    &[],
                ));
            }
            let forked = k.audit_fork_at.is_some();
            if let Some(at) = &k.audit_fork_at {
                text.push_str(&t(
                    lang,
                    " TWO COPIES: on {} a bundle carried another history of the same length (a restored or cloned tablet); it was refused",
                    &[at.get(..16).unwrap_or(at)],
                ));
            }
            view.audit.push(line(text, forked));
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
            // Times on the clinic's clock (the flags are about its opening hours).
            let zone = open.clinic_zone().unwrap_or_default();
            for f in flags {
                let (from, to) = (
                    zone.local(f.from).format("%Y-%m-%d %H:%M").to_string(),
                    zone.local(f.to).format("%H:%M").to_string(),
                );
                let count = f.count.to_string();
                let text = match f.kind {
                    FlagKind::ManyRecords => t(
                        lang,
                        "{} opened {} records between {} and {}",
                        &[&name(&f.actor), &count, &from, &to],
                    ),
                    FlagKind::OutOfHours => tn(
                        lang,
                        "{} used records outside opening hours {} time on {}",
                        "{} used records outside opening hours {} times on {}",
                        u64::try_from(f.count).unwrap_or(u64::MAX),
                        &[
                            &name(&f.actor),
                            &count,
                            &zone.local(f.from).format("%Y-%m-%d").to_string(),
                        ],
                    ),
                    FlagKind::FailedPins => {
                        let device = match f
                            .actor
                            .strip_prefix(crate::rights::oversight::KIOSK_PREFIX)
                        {
                            Some(kiosk) => t(lang, "kiosk {}", &[kiosk.get(..8).unwrap_or(kiosk)]),
                            None => t(lang, "this desk", &[]),
                        };
                        t(
                            lang,
                            "{} wrong PINs on {} between {} and {}",
                            &[&count, &device, &from, &to],
                        )
                    }
                };
                view.alerts.push(line(text, true));
            }
        }
    }
    view
}

pub(super) fn form_view(reader: &Reader, submission_id: &str) -> Result<FormView, StoreError> {
    let lang = reader.lang;
    let record = reader
        .records
        .read_medical(reader.actor, submission_id, reader.now)?;
    let form = crate::forms::form_used(record.form_definition_json.as_deref()).definition;
    let history = reader
        .records
        .amendments(reader.actor, &record.patient_id, reader.now)?
        .into_iter()
        .filter(|a| a.submission_id.as_deref() == Some(submission_id))
        .map(|a| {
            line(
                t(
                    lang,
                    "{}  corrected by {}: {}",
                    &[
                        &short_time(&a.amended_at),
                        &reader.staff_name(&a.staff_id),
                        &a.reason,
                    ],
                ),
                false,
            )
        })
        .collect();
    Ok(FormView {
        submission_id: submission_id.to_owned(),
        title: t(
            lang,
            "Form {} v{}, submitted {} ({})",
            &[
                &form.id,
                &form.version,
                &short_time(&record.created_at),
                &record.language,
            ],
        ),
        rows: crate::forms::answer_rows(&form, &record.answers, lang),
        signature_path: record.signature.svg_path.clone(),
        history,
    })
}
