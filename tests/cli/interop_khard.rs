//! khard lists the contacts of a vdir that pim exported: same UIDs, same names.

use std::collections::BTreeSet;

use crate::support::corpus::corpus;
use crate::support::peer::peer;
use crate::support::pim::Pim;

#[test]
fn khard_lists_the_exported_contacts() {
    let pim = Pim::new().tz("Europe/Berlin");
    for f in [
        "vcf/kcontacts--vcard10.vcf",
        "vcf/roundcube--apple.vcf",
        "vcf/roundcube--utf-16_sample.vcf",
        "vcf/ezvcard--outlook-2007.vcf",
        "vcf/khard--korean-c.vcf",
    ] {
        pim.ok(&["import", corpus(f).to_str().unwrap()]);
    }
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Zoë Müller",
        "--email",
        "z@example.org",
    ]);
    for (version, dir) in [("4.0", "vdir4"), ("3.0", "vdir3")] {
        let vdir = pim.path(dir);
        pim.ok(&[
            "export",
            "contacts",
            "--format",
            "vdir",
            "--vcard-version",
            version,
            "-o",
            vdir.to_str().unwrap(),
        ]);
        let config = pim.path(&format!("khard-{dir}.conf"));
        std::fs::write(
            &config,
            format!(
                "[addressbooks]\n[[pim]]\npath = {}\n[general]\ndefault_action = list\n\
                 editor = true\nmerge_editor = true\n[contact table]\ndisplay = formatted_name\n",
                vdir.join("contacts").display()
            ),
        )
        .unwrap();
        let out = peer(
            &pim,
            "khard",
            "khard",
            &["-c", config.to_str().unwrap(), "list", "--parsable"],
        );
        let listed: BTreeSet<(String, String)> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[0].to_string(), f[1].to_string())
            })
            .collect();
        let ours: BTreeSet<(String, String)> = pim
            .json_list(&["list", "contacts", "--json"])
            .iter()
            .map(|c| {
                let name = c["full_name"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| {
                        c["org"]
                            .as_str()
                            .map(|o| o.trim_end_matches(',').trim().to_string())
                    })
                    .unwrap_or_default();
                (c["uid"].as_str().unwrap().to_string(), name)
            })
            .collect();
        assert_eq!(listed, ours, "vCard {version}");
        assert_eq!(listed.len(), 10);
    }
}
