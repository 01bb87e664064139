use super::*;

/// The appendix of Decision 189/QĐ-BDT: full name and account, exactly as published.
const APPENDIX: [(&str, &str); 24] = [
    ("Mai Sên", "senm"),
    ("Trương Ngọc Phúc", "phuctn"),
    ("K'Rẻm", "remk"),
    ("Thanh Thị Minh Hiền", "hienttm"),
    ("Hồ Thị Kim Lệ", "lehtk"),
    ("Võ Thị Thu An", "anvtt"),
    ("Bùi Thị Quỳnh Hoa", "hoabtq"),
    ("Phạm Thị Thanh Thủy", "thuyptt"),
    ("Trần Thị Thu", "thutt"),
    ("Phạm Đức Mạnh", "manhpd"),
    ("Nguyễn Thị Ngọc Bích", "bichntn"),
    ("Mai Thị Ánh Tuyết", "tuyetmta"),
    ("Mai Đắc Hòa", "hoamd"),
    ("Lỷ Khì Lằn", "lanlk"),
    ("Vũ Đăng Kiên", "kienvd"),
    ("Võ Thùy Nhung", "nhungvt"),
    ("Nguyễn Thị Liên", "liennt"),
    ("Tạ Hữu Phúc", "phucth"),
    ("Vũ Đăng Diện", "dienvd"),
    ("Cờ Văn Giảng", "giangcv"),
    ("Nguyễn Hòang Quỳnh Trang", "trangnhq"),
    ("Tạ Thị Hải", "haitt"),
    ("Hoàng Thị Ngọc Lan", "lanhtn"),
    ("Đinh Thị Mỹ Liên", "liendtm"),
];

#[test]
fn the_24_appendix_names_give_the_published_accounts() {
    for (name, account) in APPENDIX {
        assert_eq!(derive(name).unwrap(), account, "{name}");
    }
}

#[test]
fn decomposed_unicode_gives_the_same_accounts() {
    for (name, account) in APPENDIX {
        let nfd: String = name.nfd().collect();
        assert_eq!(derive(&nfd).unwrap(), account, "{name} in NFD");
    }
}

#[test]
fn lower_case_and_upper_case_give_the_same_accounts() {
    for (name, account) in APPENDIX {
        assert_eq!(
            derive(&name.to_lowercase()).unwrap(),
            account,
            "{name} lower case"
        );
        assert_eq!(
            derive(&name.to_uppercase()).unwrap(),
            account,
            "{name} upper case"
        );
    }
}

#[test]
fn extra_spaces_tabs_and_non_breaking_spaces_are_ignored() {
    for (name, account) in APPENDIX {
        let spaced = format!("  {}\t ", name.replace(' ', "   "));
        assert_eq!(derive(&spaced).unwrap(), account, "{spaced:?}");
        let nbsp = name.replace(' ', "\u{a0}");
        assert_eq!(derive(&nbsp).unwrap(), account, "{nbsp:?}");
    }
    assert_eq!(display_name("  Võ   Thị Thu  An "), "Võ Thị Thu An");
}

#[test]
fn d_with_stroke_folds_to_d_in_both_cases() {
    assert_eq!(fold("Đinh").unwrap(), "dinh");
    assert_eq!(fold("đinh").unwrap(), "dinh");
    assert_eq!(fold("ĐĐ").unwrap(), "dd");
    assert_eq!(derive("Đỗ Đức Đạt").unwrap(), "datdd");
    assert_eq!(derive("đỗ đức đạt").unwrap(), "datdd");
}

#[test]
fn horn_breve_and_circumflex_letters_fold_to_their_base() {
    assert_eq!(fold("Trương").unwrap(), "truong");
    assert_eq!(fold("Ưng").unwrap(), "ung");
    assert_eq!(fold("Ơn").unwrap(), "on");
    assert_eq!(fold("Ngọc").unwrap(), "ngoc");
    assert_eq!(fold("Đặng").unwrap(), "dang");
    assert_eq!(fold("Ấn").unwrap(), "an");
    assert_eq!(fold("Ê").unwrap(), "e");
    assert_eq!(fold("Thượng").unwrap(), "thuong");
    assert_eq!(derive("Lương Ưng Ơn").unwrap(), "onlu");
    assert_eq!(derive("Trần Thị Ân").unwrap(), "antt");
    assert_eq!(derive("Trần Thị Ăn").unwrap(), "antt");
}

#[test]
fn old_and_new_tone_placement_give_the_same_account() {
    assert_eq!(
        derive("Nguyễn Hòang Quỳnh Trang").unwrap(),
        derive("Nguyễn Hoàng Quỳnh Trang").unwrap()
    );
    assert_eq!(derive("Mai Đắc Hòa").unwrap(), derive("Mai Đắc Hoà").unwrap());
    assert_eq!(derive("Võ Thùy Nhung").unwrap(), derive("Võ Thuỳ Nhung").unwrap());
    assert_eq!(fold("Hòang").unwrap(), fold("Hoàng").unwrap());
}

#[test]
fn apostrophes_and_hyphens_split_words() {
    assert_eq!(words("K'Rẻm"), vec!["K", "Rẻm"]);
    assert_eq!(derive("K'Rẻm").unwrap(), "remk");
    assert_eq!(derive("K\u{2019}Rẻm").unwrap(), "remk", "typographic apostrophe");
    assert_eq!(
        derive("K\u{02BC}Rẻm").unwrap(),
        "remk",
        "modifier letter apostrophe"
    );
    assert_eq!(derive("Ka-Rẻm").unwrap(), "remk");
    assert_eq!(derive("Nguyễn K'Lin").unwrap(), "linnk");
    assert_eq!(derive("Y-Moan Ê-Nuôl").unwrap(), "nuolyme");
}

#[test]
fn explicit_given_name_for_names_outside_the_kinh_order() {
    // An Ê Đê name written given name first, family name last.
    let parts = split_name("Y Moan Ênuôl", Some("Moan"), Some("Ênuôl")).unwrap();
    assert_eq!(parts.given, vec!["Moan"]);
    assert_eq!(parts.family.as_deref(), Some("Ênuôl"));
    assert_eq!(parts.middle, vec!["Y"]);
    assert_eq!(derive_local_part(&parts).unwrap(), "moaney");
    // Given name only: the family name is the first remaining word.
    let parts = split_name("Sên Mai", Some("sên"), None).unwrap();
    assert_eq!(derive_local_part(&parts).unwrap(), "senm");
    // A given name of two words.
    let parts = split_name("Nguyễn Thị Minh Khai", Some("Minh Khai"), None).unwrap();
    assert_eq!(derive_local_part(&parts).unwrap(), "minhkhaint");
}

#[test]
fn explicit_names_must_be_part_of_the_full_name() {
    assert!(matches!(
        split_name("Võ Thị Thu An", Some("Bình"), None),
        Err(NamingError::NotInFullName { .. })
    ));
    assert!(matches!(
        split_name("Võ Thị Thu An", Some("An"), Some("Lê")),
        Err(NamingError::NotInFullName { .. })
    ));
    assert!(matches!(
        split_name("Võ An", Some("An"), Some("An")),
        Err(NamingError::Overlap(_))
    ));
}

#[test]
fn single_word_names_and_empty_names() {
    assert_eq!(derive("Sên").unwrap(), "sen");
    assert_eq!(derive("   "), Err(NamingError::Empty));
    assert_eq!(derive("'-'"), Err(NamingError::Empty));
}

#[test]
fn characters_without_an_ascii_form_are_refused() {
    assert!(matches!(
        derive("Nguyễn Văn 2"),
        Err(NamingError::Unfoldable { ch: '2', .. })
    ));
    assert!(matches!(
        derive("Müller Straße"),
        Err(NamingError::Unfoldable { ch: 'ß', .. })
    ));
    assert!(matches!(derive("王 小明"), Err(NamingError::Unfoldable { .. })));
}

#[test]
fn extensions_follow_rule_ii_2() {
    let rules = ExtensionRules {
        max_length: 6,
        reserved: vec!["bdt".into()],
    };
    assert_eq!(check_extension("ctt", &rules), Ok(()));
    assert_eq!(check_extension("abcdef", &rules), Ok(()));
    assert!(matches!(
        check_extension("abcdefg", &rules),
        Err(ExtensionError::TooLong(..))
    ));
    assert!(matches!(
        check_extension("kt2", &rules),
        Err(ExtensionError::Digit(_))
    ));
    assert!(matches!(
        check_extension("bdt", &rules),
        Err(ExtensionError::AgencyName(..))
    ));
    assert!(matches!(
        check_extension("xbdt", &rules),
        Err(ExtensionError::AgencyName(..))
    ));
    assert!(matches!(
        check_extension("CTT", &rules),
        Err(ExtensionError::NotLetters(_))
    ));
    assert!(matches!(
        check_extension("c-t", &rules),
        Err(ExtensionError::NotLetters(_))
    ));
    assert!(matches!(
        check_extension("ké", &rules),
        Err(ExtensionError::NotLetters(_))
    ));
    assert_eq!(check_extension("", &rules), Err(ExtensionError::Empty));
    assert_eq!(with_extension("anvtt", Some("ctt")), "anvtt.ctt");
}

#[test]
fn two_people_with_the_same_derived_address_collide_and_get_free_suggestions() {
    // Võ Thị Thu An exists; a second Võ Thị Thu An joins as Chánh Thanh tra.
    assert_eq!(derive("Võ Thị Thu An").unwrap(), derive("Vũ Thị Thu An").unwrap());
    let parts = split_name("Võ Thị Thu An", None, None).unwrap();
    let rules = ExtensionRules {
        max_length: 6,
        reserved: vec!["bdt".into()],
    };
    let taken = ["anvtt", "anvtt.thu"];
    let suggestions = suggest_extensions(
        &parts,
        Some("Chánh Thanh tra"),
        Some("Trung tâm Dịch vụ miền núi"),
        &rules,
        |e| !taken.contains(&with_extension("anvtt", Some(e)).as_str()),
    );
    assert_eq!(suggestions, vec!["ctt", "ttdvmn", "vo", "thi"]);
    // Nothing is suggested that breaks the rules or is taken.
    let none = suggest_extensions(&parts, Some("Bộ Đội Tiếp"), None, &rules, |e| e == "zzz");
    assert!(none.is_empty());
}
