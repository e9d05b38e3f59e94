//! The layout rule of `tests/ui_layout.rs`: every actionable element of a screen lies inside the
//! window, or inside a scroll area a person can scroll it into.
//!
//! For one screen at one window size:
//! - *Actionable* is the role of anything a person acts on: button, checkbox, text input,
//!   switch, combo box, slider, spin box, tab, radio button.
//! - A *scroll area* is a std-widgets `ScrollView` or a component built on one (the PIN pad's
//!   staff names). Its viewport (the area's own rectangle) must
//!   lie wholly inside the window, and no actionable element outside it may overlap it (nothing
//!   fixed, such as a bar or a keyboard, covers it). Scroll areas are not nested, except a
//!   multi-line text field's own scroller, which is a field of its page (`is_text_area`).
//! - An actionable element outside every scroll area must lie wholly inside the window.
//! - An actionable element inside a scroll area must be *reachable*: the area is scrolled from its
//!   top to its bottom in steps of a quarter of its height, and at some step the element lies
//!   wholly inside the viewport. There is no sideways scrolling: it must fit the width too.
//! - A scroll area's content is no wider than its viewport (nothing needs scrolling sideways).
//! - While a full-window overlay (the staff PIN prompt, the idle countdown) covers the page on
//!   purpose, the page's scroll area (a plain `ScrollView`) and what it holds are not checked;
//!   everything else is (the overlay's own controls, and scroll areas built into them).
//! - *Nothing is missed*: the testing backend finds only elements at least partly inside their
//!   clip (a scroll area, for instance), so an element pushed past the end of the scrolled content
//!   would never be found at all. The same screen is therefore also laid out in a window of the
//!   same width and 10 000 px high, where nothing needs scrolling; every actionable element found
//!   there (counted per role and label) must be found, and reachable, at the real size.
#![allow(dead_code)]

use std::collections::BTreeMap;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery, ElementRoot};
use slint::{LogicalSize, Window};

pub const SIZES: [(f32, f32); 2] = [(1280.0, 800.0), (800.0, 1280.0)];
const TALL: f32 = 10_000.0;

fn actionable(e: &ElementHandle) -> bool {
    matches!(
        e.accessible_role(),
        Some(
            AccessibleRole::Button
                | AccessibleRole::Checkbox
                | AccessibleRole::TextInput
                | AccessibleRole::Switch
                | AccessibleRole::Combobox
                | AccessibleRole::Slider
                | AccessibleRole::Spinbox
                | AccessibleRole::Tab
                | AccessibleRole::RadioButton
        )
    )
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl Rect {
    fn of(e: &ElementHandle) -> Rect {
        let p = e.absolute_position();
        let s = e.size();
        Rect {
            x: p.x,
            y: p.y,
            w: s.width,
            h: s.height,
        }
    }
    /// Whether `self` lies wholly inside `outer` (half a pixel of rounding allowed).
    fn inside(&self, outer: &Rect) -> bool {
        const E: f32 = 0.5;
        self.x >= outer.x - E
            && self.y >= outer.y - E
            && self.x + self.w <= outer.x + outer.w + E
            && self.y + self.h <= outer.y + outer.h + E
    }
    fn overlaps(&self, other: &Rect) -> bool {
        const E: f32 = 0.5;
        self.x + E < other.x + other.w
            && other.x + E < self.x + self.w
            && self.y + E < other.y + other.h
            && other.y + E < self.y + self.h
    }
}

impl std::fmt::Display for Rect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0}×{:.0} at ({:.0}, {:.0})",
            self.w, self.h, self.x, self.y
        )
    }
}

type Key = (String, String); // (role, label)

fn key(e: &ElementHandle) -> Key {
    (
        format!("{:?}", e.accessible_role().unwrap_or_default()),
        e.accessible_label()
            .map(|l| l.to_string())
            .unwrap_or_default(),
    )
}

/// Once each: a query can return an element more than once (once per element sharing its item).
fn dedup(found: Vec<ElementHandle>) -> Vec<ElementHandle> {
    let mut seen: Vec<(Key, Rect)> = Vec::new();
    found
        .into_iter()
        .filter(|e| {
            let id = (key(e), Rect::of(e));
            let new = !seen.contains(&id);
            if new {
                seen.push(id);
            }
            new
        })
        .collect()
}

fn find_actionable(root: &impl ElementRoot) -> Vec<ElementHandle> {
    dedup(
        ElementQuery::from_root(root)
            .match_descendants()
            .match_predicate(actionable)
            .find_all(),
    )
}

fn actionable_in(area: &ElementHandle) -> Vec<ElementHandle> {
    dedup(
        area.query_descendants()
            .match_predicate(actionable)
            .find_all(),
    )
}

fn is_scroll_area(e: &ElementHandle) -> bool {
    e.type_name().is_some_and(|t| t == "ScrollView")
        || e.bases().is_some_and(|mut b| b.any(|t| t == "ScrollView"))
}

/// A multi-line text field's own scroller (Slint's `TextEdit`): part of a field that travels with
/// its page, which is checked as the page's content, not as a page of its own. Named by the
/// standard widget's element id: should Slint rename it, the field is checked as a page again
/// and the test says so.
fn is_text_area(e: &ElementHandle) -> bool {
    e.id().is_some_and(|id| id == "TextEditBase::scroll-view")
}

/// A page's own scroll area (a plain `ScrollView`), which an overlay covers on purpose.
fn is_page(e: &ElementHandle) -> bool {
    e.type_name().is_some_and(|t| t == "ScrollView")
}

fn scroll_areas(root: &impl ElementRoot) -> Vec<ElementHandle> {
    let areas = ElementQuery::from_root(root)
        .match_descendants()
        .match_predicate(is_scroll_area)
        .find_all();
    let mut seen: Vec<Rect> = Vec::new();
    areas
        .into_iter()
        .filter(|a| {
            let r = Rect::of(a);
            let new = !seen.contains(&r);
            if new {
                seen.push(r);
            }
            new
        })
        .collect()
}

/// A scroll area's content (window coordinates): the tallest layout inside it, which spans the
/// whole content and so is always found.
fn content(area: &ElementHandle) -> Rect {
    area.query_descendants()
        .match_predicate(|e| e.layout_kind().is_some())
        .find_all()
        .iter()
        .map(Rect::of)
        .max_by(|a, b| a.h.total_cmp(&b.h))
        .unwrap_or(Rect::of(area))
}

fn content_top(area: &ElementHandle) -> f32 {
    content(area).y
}

/// One scroll area's actionable elements, found while scrolling it from top to bottom:
/// (role, label, place in the content) → whether it ever lay wholly inside the viewport.
fn walk(area: &ElementHandle, window: &Rect) -> BTreeMap<(Key, i64, i64, i64), (bool, Rect)> {
    let view = Rect::of(area);
    let mut seen: BTreeMap<(Key, i64, i64, i64), (bool, Rect)> = BTreeMap::new();
    area.scroll(0.0, 1.0e6); // to the top
    let mut last = f32::NAN;
    for _ in 0..400 {
        let top = content_top(area);
        if top == last {
            break;
        }
        last = top;
        for e in actionable_in(area) {
            let r = Rect::of(&e);
            if let Ok(needle) = std::env::var("LAYOUT_DEBUG")
                && key(&e).1.contains(&needle)
            {
                eprintln!("walk: top {top} view {view}: {:?} {r}", key(&e));
            }
            let place = (
                key(&e),
                (r.y - top).round() as i64,
                r.x.round() as i64,
                r.w.round() as i64,
            );
            let reached = r.inside(&view) && r.inside(window);
            let entry = seen.entry(place).or_insert((false, r));
            if reached {
                entry.0 = true;
            }
        }
        area.scroll(0.0, -(view.h / 4.0).max(8.0));
    }
    area.scroll(0.0, 1.0e6);
    seen
}

/// Collects layout problems over many screens; `finish` fails with all of them.
#[derive(Default)]
pub struct Checker {
    problems: Vec<String>,
    checked: usize,
}

impl Checker {
    /// Checks the screen now shown at both sizes, large text off and on (`set_large_text`),
    /// then leaves the window at `restore` with large text off.
    pub fn screen(
        &mut self, root: &impl ElementRoot, window: &Window, set_large_text: &dyn Fn(bool),
        restore: (f32, f32), name: &str,
    ) {
        self.screen_as(root, window, set_large_text, restore, name, false);
    }

    /// As `screen`, for a full-window overlay: only the elements outside scroll areas count.
    pub fn overlay(
        &mut self, root: &impl ElementRoot, window: &Window, set_large_text: &dyn Fn(bool),
        restore: (f32, f32), name: &str,
    ) {
        self.screen_as(root, window, set_large_text, restore, name, true);
    }

    fn screen_as(
        &mut self, root: &impl ElementRoot, window: &Window, set_large_text: &dyn Fn(bool),
        restore: (f32, f32), name: &str, overlay: bool,
    ) {
        for large in [false, true] {
            set_large_text(large);
            for (w, h) in SIZES {
                let at = format!(
                    "{name} at {w}×{h}{}",
                    if large { ", large text" } else { "" }
                );
                self.check(root, window, (w, h), &at, overlay);
            }
        }
        set_large_text(false);
        window.set_size(LogicalSize::new(restore.0, restore.1));
    }

    fn check(
        &mut self, root: &impl ElementRoot, window: &Window, (w, h): (f32, f32), at: &str,
        overlay: bool,
    ) {
        self.checked += 1;
        // What is there, with room for everything.
        window.set_size(LogicalSize::new(w, TALL));
        let mut expected: BTreeMap<Key, usize> = BTreeMap::new();
        let tall_areas: Vec<ElementHandle> = if overlay {
            scroll_areas(root).into_iter().filter(is_page).collect()
        } else {
            Vec::new()
        };
        let under: Vec<(Key, Rect)> = tall_areas
            .iter()
            .flat_map(actionable_in)
            .map(|e| (key(&e), Rect::of(&e)))
            .collect();
        for e in find_actionable(root) {
            let (k, r) = (key(&e), Rect::of(&e));
            if !under.iter().any(|(uk, ur)| *uk == k && *ur == r) {
                *expected.entry(k).or_default() += 1;
            }
        }

        window.set_size(LogicalSize::new(w, h));
        let screen = Rect {
            x: 0.0,
            y: 0.0,
            w,
            h,
        };
        let areas = scroll_areas(root);
        let mut inside_areas: Vec<(Key, Rect)> = Vec::new();
        for area in &areas {
            for e in actionable_in(area) {
                inside_areas.push((key(&e), Rect::of(&e)));
            }
        }
        let mut found: BTreeMap<Key, usize> = BTreeMap::new();
        let mut fixed = Vec::new();
        for e in find_actionable(root) {
            let (k, r) = (key(&e), Rect::of(&e));
            if inside_areas.iter().any(|(ik, ir)| *ik == k && *ir == r) {
                continue;
            }
            if !r.inside(&screen) {
                self.problems
                    .push(format!("{at}: {k:?} is {r}, not wholly inside the window"));
            }
            *found.entry(k.clone()).or_default() += 1;
            fixed.push((k, r));
        }
        for area in areas
            .iter()
            .filter(|a| !(is_text_area(a) || overlay && is_page(a)))
        {
            let view = Rect::of(area);
            let whole = content(area);
            if whole.x < view.x - 0.5 || whole.x + whole.w > view.x + view.w + 0.5 {
                self.problems.push(format!(
                    "{at}: a scroll area's content is {whole}, wider than its viewport {view}"
                ));
            }
            if !view.inside(&screen) {
                self.problems.push(format!(
                    "{at}: a scroll area is {view}, not wholly inside the window"
                ));
            }
            for (k, r) in &fixed {
                if r.overlaps(&view) {
                    self.problems.push(format!(
                        "{at}: {k:?} ({r}) covers part of a scroll area ({view})"
                    ));
                }
            }
            for ((k, ..), (reached, r)) in walk(area, &screen) {
                if !reached {
                    self.problems.push(format!(
                        "{at}: {k:?} cannot be scrolled wholly into view (last seen {r}, scroll area {view})"
                    ));
                }
                *found.entry(k).or_default() += 1;
            }
        }
        for (k, n) in expected {
            let got = found.get(&k).copied().unwrap_or(0);
            if got < n {
                self.problems.push(format!(
                    "{at}: {k:?} shows {n} times in a tall window but only {got} times here (out of reach)"
                ));
            }
        }
    }

    /// How many screen × size × text-size combinations were checked.
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// Fails with every problem found, except those of `known` (where, label): each of those
    /// must still be found, so that a fixed one is taken off the list.
    pub fn finish(self, at_least: usize, known: &[(&str, &str)]) {
        let is_known = |p: &String| {
            known
                .iter()
                .any(|(at, label)| p.contains(at) && p.contains(label))
        };
        let (expected, problems): (Vec<String>, Vec<String>) =
            self.problems.into_iter().partition(is_known);
        for p in &expected {
            eprintln!("known: {p}");
        }
        assert!(
            problems.is_empty(),
            "{} layout problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
        for (at, label) in known {
            assert!(
                expected.iter().any(|p| p.contains(at) && p.contains(label)),
                "known problem {at:?} / {label:?} no longer found: take it off the list"
            );
        }
        assert!(
            self.checked >= at_least,
            "only {} checks ran; expected at least {at_least}",
            self.checked
        );
    }
}
