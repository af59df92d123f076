//! One reading of a record, owned or borrowed: code that only reads a record
//! (expanding a series, writing an occurrence's row or JSON) is written once over
//! these traits and runs on a decoded [`Record`] as on a body read in place
//! ([`RecordRef`]), so the two can never disagree.

use std::borrow::Cow;

use super::{BodyRef, ComponentRef, PropertyRef};
use crate::model::property::unescape_text;
use crate::model::time::{TimeError, When};
use crate::model::{Component, Kind, Property, Record};

/// A property, owned ([`Property`]) or borrowed ([`PropertyRef`]).
pub trait PropertyLike {
    fn name(&self) -> &str;
    /// The raw (escaped) value.
    fn value(&self) -> &str;
    /// The first value of the first parameter of this name (ASCII case ignored).
    fn param(&self, name: &str) -> Option<&str>;

    /// The value with TEXT escapes resolved, copied only when it has one.
    fn text(&self) -> Cow<'_, str> {
        let v = self.value();
        if v.contains('\\') {
            Cow::Owned(unescape_text(v))
        } else {
            Cow::Borrowed(v)
        }
    }

    /// The value read as a DATE or DATE-TIME (as [`When::from_property`]).
    fn when(&self) -> Result<When, TimeError> {
        When::from_value(self.value(), |n| self.param(n))
    }
}

/// A component, owned ([`Component`]) or borrowed ([`ComponentRef`]).
pub trait ComponentLike: Sized {
    type Prop: PropertyLike;
    fn name(&self) -> &str;
    fn props(&self) -> &[Self::Prop];
    fn subs(&self) -> &[Self];
    /// As a [`Component`] (copied when borrowed: for the rare reader that needs
    /// one, e.g. of a VTIMEZONE).
    fn owned(&self) -> Cow<'_, Component>;

    /// The first property of this name (ASCII case ignored).
    fn prop(&self, name: &str) -> Option<&Self::Prop> {
        self.props()
            .iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// Every property of this name, in order.
    fn props_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Self::Prop> + 's {
        self.props()
            .iter()
            .filter(move |p| p.name().eq_ignore_ascii_case(name))
    }
}

/// A record, decoded ([`Record`]) or read in place ([`RecordRef`]).
pub trait RecordLike {
    type Comp: ComponentLike;
    fn id(&self) -> &str;
    fn kind(&self) -> Kind;
    /// The collection id.
    fn collection(&self) -> &str;
    fn main(&self) -> &Self::Comp;
    fn overrides(&self) -> &[Self::Comp];
    fn timezones(&self) -> &[Self::Comp];

    /// The main component's first property of this name.
    fn prop(&self, name: &str) -> Option<&<Self::Comp as ComponentLike>::Prop> {
        self.main().prop(name)
    }

    fn uid(&self) -> Option<&str> {
        self.prop("UID").map(PropertyLike::value)
    }
}

impl PropertyLike for Property {
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        &self.value
    }
    fn param(&self, name: &str) -> Option<&str> {
        Property::param(self, name)
    }
}

impl PropertyLike for PropertyRef<'_> {
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        &self.value
    }
    fn param(&self, name: &str) -> Option<&str> {
        PropertyRef::param(self, name)
    }
}

impl ComponentLike for Component {
    type Prop = Property;
    fn name(&self) -> &str {
        &self.name
    }
    fn props(&self) -> &[Property] {
        &self.props
    }
    fn subs(&self) -> &[Component] {
        &self.subs
    }
    fn owned(&self) -> Cow<'_, Component> {
        Cow::Borrowed(self)
    }
}

impl<'a> ComponentLike for ComponentRef<'a> {
    type Prop = PropertyRef<'a>;
    fn name(&self) -> &str {
        &self.name
    }
    fn props(&self) -> &[PropertyRef<'a>] {
        &self.props
    }
    fn subs(&self) -> &[ComponentRef<'a>] {
        &self.subs
    }
    fn owned(&self) -> Cow<'_, Component> {
        Cow::Owned(self.to_component())
    }
}

impl RecordLike for Record {
    type Comp = Component;
    fn id(&self) -> &str {
        &self.id
    }
    fn kind(&self) -> Kind {
        self.kind
    }
    fn collection(&self) -> &str {
        &self.collection
    }
    fn main(&self) -> &Component {
        &self.body.main
    }
    fn overrides(&self) -> &[Component] {
        &self.body.overrides
    }
    fn timezones(&self) -> &[Component] {
        &self.body.timezones
    }
}

/// A record whose body is read in place from its stored text.
#[derive(Debug)]
pub struct RecordRef<'a> {
    pub id: &'a str,
    pub kind: Kind,
    pub collection: &'a str,
    pub body: BodyRef<'a>,
}

impl<'a> RecordLike for RecordRef<'a> {
    type Comp = ComponentRef<'a>;
    fn id(&self) -> &str {
        self.id
    }
    fn kind(&self) -> Kind {
        self.kind
    }
    fn collection(&self) -> &str {
        self.collection
    }
    fn main(&self) -> &ComponentRef<'a> {
        &self.body.main
    }
    fn overrides(&self) -> &[ComponentRef<'a>] {
        &self.body.overrides
    }
    fn timezones(&self) -> &[ComponentRef<'a>] {
        &self.body.timezones
    }
}
