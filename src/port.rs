//! How a port is declared: [`port!`] writes a port trait and its implementation for the sealed
//! store from one list, so a call the store already answers is named once — not once in the
//! trait, once more in a forwarding impl, with the signature copied between them.
//!
//! Each item of the list is a trait method with its `///` docs, in one of three forms:
//! - `fn name(&self, a: A) -> R;` forwards to the store's own method of the same name and
//!   signature (`&mut self` likewise);
//! - `fn name(&self, a: A) -> R = path::to::function;` forwards to `function(self, a)`, for calls
//!   answered outside the store (the sync and file formats in [`crate::exchange`]);
//! - `fn name(..) -> R { .. }` adapts, and is written out (any receiver, `self: Box<Self>` too).
//!
//! A forwarded name the store lacks would call the trait method itself; the compiler's
//! `unconditional_recursion` lint (an error under the CI's `-D warnings`) catches it. Fakes for
//! tests implement the trait by hand as usual.

/// Declares `trait Name` (optionally `trait Name: Super`, a port it extends) and
/// `impl Name for Store` from one list (see the module doc):
///
/// ```ignore
/// port! {
///     /// What the desk needs.
///     pub trait DeskRecords for OpenStore {
///         /// The clinic's settings.
///         fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
///     }
/// }
/// ```
macro_rules! port {
    (
        $(#[$attr:meta])*
        $vis:vis trait $Trait:ident $(: $Super:ident)? for $Store:ty { $($items:tt)* }
    ) => {
        $crate::port::port!(@item [$(#[$attr])* $vis trait $Trait $(: $Super)?] [$Trait $Store]
            [] [] $($items)*);
    };
    // Every item read: the trait, then the impl.
    (@item [$($head:tt)*] [$Trait:ident $Store:ty] [$($decl:tt)*] [$($body:tt)*]) => {
        $($head)* { $($decl)* }
        impl $Trait for $Store { $($body)* }
    };
    // `fn f(..) -> R;`: the store's method of the same name.
    (@item $head:tt [$Trait:ident $Store:ty] $decl:tt $body:tt
        $(#[$m:meta])* fn $name:ident($($sig:tt)*) -> $ret:ty; $($rest:tt)*
    ) => {
        $crate::port::port!(@item $head [$Trait $Store] $decl $body
            $(#[$m])* fn $name($($sig)*) -> $ret = <$Store>::$name; $($rest)*);
    };
    // `fn f(&self, a: A) -> R = target;`: `target(self, a)`.
    (@item $head:tt $types:tt [$($decl:tt)*] [$($body:tt)*]
        $(#[$m:meta])* fn $name:ident(& $($recv:ident)+ $(, $arg:ident: $t:ty)*) -> $ret:ty
            = $target:expr; $($rest:tt)*
    ) => {
        $crate::port::port!(@item $head $types
            [$($decl)* $(#[$m])* fn $name(& $($recv)+ $(, $arg: $t)*) -> $ret;]
            [$($body)* fn $name(& $($recv)+ $(, $arg: $t)*) -> $ret {
                $target($crate::port::port!(@self $($recv)+) $(, $arg)*)
            }]
            $($rest)*);
    };
    // `fn f(..) -> R { .. }`: written out.
    (@item $head:tt $types:tt [$($decl:tt)*] [$($body:tt)*]
        $(#[$m:meta])* fn $name:ident($($sig:tt)*) $(-> $ret:ty)? $block:block $($rest:tt)*
    ) => {
        $crate::port::port!(@item $head $types
            [$($decl)* $(#[$m])* fn $name($($sig)*) $(-> $ret)?;]
            [$($body)* fn $name($($sig)*) $(-> $ret)? $block]
            $($rest)*);
    };
    // The receiver's `self`, from `self` or `mut self` (the caller's token, for hygiene).
    (@self mut $self_:ident) => { $self_ };
    (@self $self_:ident) => { $self_ };
}

pub(crate) use port;
