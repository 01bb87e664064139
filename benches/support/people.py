"""The same N people for every apply benchmark (benches/modoboa.sh, benches/postfixadmin.sh): Vietnamese names,
a 2 GiB quota, addresses u0001… (explicit, with a reason).

    people.py repo DIR DOMAIN N   writes a staff repository
    people.py csv FILE DOMAIN N   writes Modoboa's import file
"""
import os, secrets, string, sys
mode, target, domain, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fam = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
mid = ["Văn", "Thị", "Minh", "Thu", "Ngọc", "Đức"]
giv = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Sơn", "Tâm", "Uyên"]
people = [(i, fam[i % len(fam)], mid[(i // 8) % len(mid)], giv[(i // 48) % len(giv)]) for i in range(1, n + 1)]
if mode == "csv":
    with open(target, "w") as out:
        for i, f, m, g in people:
            pw = "Aa1" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(13))
            a = f"u{i:04d}@{domain}"
            out.write(f"account;{a};{pw};{g};{f} {m};True;SimpleUsers;{a};2048\n")
    sys.exit(0)
os.makedirs(f"{target}/staff", exist_ok=True)
open(f"{target}/organization.yaml", "w").write(f"""apiVersion: mailops.dev/v1alpha1
kind: Organization
metadata:
  name: bench
spec:
  displayName: Benchmark agency
  shortName: bench
  domains:
    - name: {domain}
  units:
    - id: staff
      name: Staff
  naming:
    domain: {domain}
  safety:
    maxDeletions: 2
    maxDeletionPercent: 10
    graceDays: 30
  defaults:
    quota: 2GiB
""")
for i, f, m, g in people:
    open(f"{target}/staff/u{i:04d}.yaml", "w").write(f"""apiVersion: mailops.dev/v1alpha1
kind: Mailbox
metadata:
  name: u{i:04d}
spec:
  fullName: {f} {m} {g}
  unit: staff
  address: u{i:04d}@{domain}
  reason: benchmark accounts are numbered
""")
