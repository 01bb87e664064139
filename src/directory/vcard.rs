//! The directory as vCard 4.0 (RFC 6350), for address books: one card per person, one per agency mailbox.

use vcard4::parameter::{Parameters, TypeParameter};
use vcard4::property::{Kind, KindProperty, TextProperty};
use vcard4::{Vcard, VcardBuilder};

use super::Directory;
use crate::desired::DesiredMailbox;

fn email(value: String, kind: TypeParameter, pref: Option<u8>) -> TextProperty {
    TextProperty {
        group: None,
        value,
        parameters: Some(Parameters {
            types: Some(vec![kind]),
            pref,
            ..Parameters::default()
        }),
    }
}

fn person(dir: &Directory<'_>, unit_name: &str, p: &DesiredMailbox) -> Vcard {
    let org = &dir.state.organization;
    let name = [
        p.family_name.clone().unwrap_or_default(),
        p.given_name.clone(),
        p.middle_names.join(" "),
        String::new(),
        String::new(),
    ];
    let mut builder = VcardBuilder::new(p.full_name.clone())
        .kind(Kind::Individual)
        .name(name)
        .org(vec![org.display_name.clone(), unit_name.to_string()]);
    if let Some(t) = &p.title {
        builder = builder.title(t.clone());
    }
    let mut card = builder.finish();
    card.email
        .push(email(p.address.to_string(), TypeParameter::Work, Some(1)));
    if let Some(b) = &p.backup_email
        && *b != p.address.to_string()
    {
        card.email.push(email(b.clone(), TypeParameter::Home, None));
    }
    card
}

/// Renders every card, CRLF line endings and 75-octet folding as RFC 6350 requires.
pub(super) fn render(dir: &Directory<'_>) -> String {
    let mut out = String::new();
    for s in dir.shared {
        let mut card = VcardBuilder::new(s.display_name.clone())
            .org(vec![dir.state.organization.display_name.clone()])
            .finish();
        card.kind = Some(KindProperty {
            group: None,
            value: Kind::Org,
            parameters: None,
        });
        card.email
            .push(email(s.address.to_string(), TypeParameter::Work, Some(1)));
        out.push_str(&card.to_string());
    }
    for g in &dir.groups {
        for p in &g.people {
            out.push_str(&person(dir, &g.unit.name, p).to_string());
        }
    }
    out
}
