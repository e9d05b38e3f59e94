//! The register of rights requests: what was asked, when received, by whom and how their
//! identity was checked, when it is due (one calendar month, extendable with a reason), status.
//! Free text is sealed; dates, kind and status are plain so the register can be listed.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use super::audit::AuditKind;
use super::{Actor, OpenStore, StoreError};
use crate::rights::{RequestKind, RequestStatus, due_date, extended_due_date};
use crate::vault::{Aad, random_id};

/// A request as logged at the desk.
pub struct NewRightsRequest {
    /// The patient, when found in the register (a request may come before they are found).
    pub patient_id: Option<String>,
    pub kind: RequestKind,
    pub received_on: NaiveDate,
    /// Who asked (the patient, or someone on their behalf), in words.
    pub requester: String,
    /// How their identity was checked (e.g. "photo ID seen at reception").
    pub identity_check: String,
    pub notes: String,
}

/// The sealed part of a request.
#[derive(Clone, Default, Serialize, Deserialize)]
struct Details {
    requester: String,
    identity_check: String,
    notes: String,
    extension_reason: String,
    outcome: String,
}

/// One request in the register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RightsRequest {
    pub id: String,
    pub patient_id: Option<String>,
    pub kind: RequestKind,
    pub received_on: NaiveDate,
    pub logged_by: String,
    pub due_on: NaiveDate,
    pub extended_months: u32,
    pub status: RequestStatus,
    pub closed_at: Option<String>,
    pub requester: String,
    pub identity_check: String,
    pub notes: String,
    pub extension_reason: String,
    pub outcome: String,
}

impl RightsRequest {
    /// Open and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == RequestStatus::Open && today > self.due_on
    }
}

fn details_aad(id: &str) -> Aad<'_> {
    Aad {
        table: "rights_requests",
        column: "sealed_details",
        row_id: id,
    }
}

fn bounded<'a>(what: &str, text: &'a str, required: bool) -> Result<&'a str, StoreError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(StoreError::Invalid(format!("{what} is missing")));
    }
    if text.chars().count() > 2000 {
        return Err(StoreError::Invalid(format!(
            "{what} is too long (2,000 characters at most)"
        )));
    }
    if crate::forms::identity::has_hidden_characters(&text.replace('\n', "")) {
        return Err(StoreError::Invalid(format!(
            "{what} holds a control character or one that turns the direction of the text around it"
        )));
    }
    Ok(text)
}

impl OpenStore {
    /// Logs a request (any role: requests often arrive at reception). Logged.
    pub fn log_rights_request(
        &self, actor: &Actor, request: &NewRightsRequest, now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let details = Details {
            requester: bounded("who asked", &request.requester, true)?.to_owned(),
            identity_check: bounded(
                "how their identity was checked",
                &request.identity_check,
                true,
            )?
            .to_owned(),
            notes: bounded("the notes", &request.notes, false)?.to_owned(),
            ..Details::default()
        };
        if request.received_on > now.date_naive() {
            return Err(StoreError::Invalid(
                "a request cannot be received in the future".into(),
            ));
        }
        if let Some(patient) = &request.patient_id {
            self.restricted_since(patient)?; // NotFound for an unknown patient
        }
        let id = random_id()?;
        let sealed = super::seal_json(self.vault(), details_aad(&id), &details)?;
        self.logged_change(actor, AuditKind::RightsRequestLogged, &id, now, |tx, _| {
            super::row_auth::insert(
                tx,
                self.vault(),
                "rights_requests",
                &[
                    ("id", Value::Text(id.clone())),
                    (
                        "patient_id",
                        request.patient_id.clone().map_or(Value::Null, Value::Text),
                    ),
                    ("kind", Value::Text(request.kind.as_str().to_owned())),
                    ("received_on", Value::Text(request.received_on.to_string())),
                    ("logged_by", Value::Text(actor.staff_id().to_owned())),
                    (
                        "due_on",
                        Value::Text(due_date(request.received_on).to_string()),
                    ),
                    ("extended_months", Value::Integer(0)),
                    ("status", Value::Text("open".into())),
                    ("closed_at", Value::Null),
                    ("sealed_details", Value::Blob(sealed)),
                ],
            )
        })?;
        Ok(id)
    }

    /// The register, open requests first by due date, then closed ones newest first. Any role.
    pub fn rights_requests(&self, actor: &Actor) -> Result<Vec<RightsRequest>, StoreError> {
        let _ = actor;
        let mut stmt = self.conn().prepare(
            "SELECT id, patient_id, kind, received_on, logged_by, due_on, extended_months, status, closed_at, sealed_details
             FROM rights_requests ORDER BY status != 'open', CASE WHEN status = 'open' THEN due_on END, received_on DESC",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            out.push(self.request_from_row(id, r)?);
        }
        Ok(out)
    }

    fn request_from_row(
        &self, id: String, r: &rusqlite::Row<'_>,
    ) -> Result<RightsRequest, StoreError> {
        super::row_auth::check(
            self.conn(),
            self.vault(),
            "rights_requests",
            &super::row_auth::text_key(&id),
        )?;
        let date = |i: usize| -> Result<NaiveDate, StoreError> {
            let text: String = r.get(i)?;
            text.parse()
                .map_err(|_| StoreError::Encoding(format!("stored date {text:?}")))
        };
        let kind: String = r.get(2)?;
        let status: String = r.get(7)?;
        let json = super::unseal(self.vault(), details_aad(&id), &r.get::<_, Vec<u8>>(9)?)?;
        let details: Details = serde_json::from_slice(&json)?;
        Ok(RightsRequest {
            patient_id: r.get(1)?,
            kind: RequestKind::parse(&kind)
                .ok_or_else(|| StoreError::Encoding(format!("request kind {kind:?}")))?,
            received_on: date(3)?,
            logged_by: r.get(4)?,
            due_on: date(5)?,
            extended_months: r.get(6)?,
            status: RequestStatus::parse(&status)
                .ok_or_else(|| StoreError::Encoding(format!("request status {status:?}")))?,
            closed_at: r.get(8)?,
            requester: details.requester,
            identity_check: details.identity_check,
            notes: details.notes,
            extension_reason: details.extension_reason,
            outcome: details.outcome,
            id,
        })
    }

    pub(super) fn rights_request(&self, id: &str) -> Result<RightsRequest, StoreError> {
        self.conn()
            .query_row(
                "SELECT id, patient_id, kind, received_on, logged_by, due_on, extended_months, status, closed_at, sealed_details
                 FROM rights_requests WHERE id = ?1",
                [id],
                |r| Ok(self.request_from_row(id.to_owned(), r)),
            )
            .optional()?
            .ok_or(StoreError::NotFound)?
    }

    fn rewrite_request(
        &self, actor: &Actor, request: &RightsRequest, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let details = Details {
            requester: request.requester.clone(),
            identity_check: request.identity_check.clone(),
            notes: request.notes.clone(),
            extension_reason: request.extension_reason.clone(),
            outcome: request.outcome.clone(),
        };
        let sealed = super::seal_json(self.vault(), details_aad(&request.id), &details)?;
        self.managed_change(
            actor,
            AuditKind::RightsRequestUpdated,
            &request.id,
            now,
            |tx, _| {
                super::row_auth::update_one(
                    tx,
                    self.vault(),
                    "rights_requests",
                    &super::row_auth::text_key(&request.id),
                    &[
                        ("due_on", Value::Text(request.due_on.to_string())),
                        (
                            "extended_months",
                            Value::Integer(i64::from(request.extended_months)),
                        ),
                        ("status", Value::Text(request.status.as_str().to_owned())),
                        (
                            "closed_at",
                            request.closed_at.clone().map_or(Value::Null, Value::Text),
                        ),
                        ("sealed_details", Value::Blob(sealed)),
                    ],
                )
            },
        )
    }

    /// Extends an open request's due date by one or two further months, with the reason told to
    /// the patient (UK GDPR Art. 12(3)). Managers. Logged.
    pub fn extend_rights_request(
        &self, actor: &Actor, id: &str, months: u32, reason: &str, now: DateTime<Utc>,
    ) -> Result<NaiveDate, StoreError> {
        actor.require_manager()?;
        let mut request = self.rights_request(id)?;
        if request.status != RequestStatus::Open {
            return Err(StoreError::Invalid("the request is already closed".into()));
        }
        if !crate::rights::requests::may_extend(request.received_on, now.date_naive()) {
            return Err(StoreError::Invalid(format!(
                "the first month ended on {}: an extension must be told to the patient within it \
                 (UK GDPR Art. 12(3)), so this overdue request is answered now, not extended",
                crate::rights::due_date(request.received_on)
            )));
        }
        // `months` is the whole extension, counted from the first due date: asking for less than
        // was already granted would bring the due date forward, which no extension may do.
        if months < request.extended_months {
            return Err(StoreError::Invalid(format!(
                "the request is already extended by {} months; an extension cannot shorten it",
                request.extended_months
            )));
        }
        request.extension_reason =
            bounded("the reason for the extension", reason, true)?.to_owned();
        request.due_on = extended_due_date(request.received_on, months).ok_or_else(|| {
            StoreError::Invalid("a request may be extended by one or two months".into())
        })?;
        request.extended_months = months;
        self.rewrite_request(actor, &request, now)?;
        Ok(request.due_on)
    }

    /// Closes a request as done or refused, with what was done or why it was refused. Managers.
    pub fn close_rights_request(
        &self, actor: &Actor, id: &str, status: RequestStatus, outcome: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        if status == RequestStatus::Open {
            return Err(StoreError::Invalid("close as done or refused".into()));
        }
        let mut request = self.rights_request(id)?;
        request.outcome = bounded("the outcome", outcome, true)?.to_owned();
        request.status = status;
        request.closed_at = Some(now.to_rfc3339());
        self.rewrite_request(actor, &request, now)
    }
}
