"""A province-sized staff repository for benches/scale.sh (issue 16): N valid Mailbox files in 24 unit
folders, Vietnamese names, a title and an order each, addresses explicit (u000001@…, with a reason) so that any
N is valid whatever the naming policy's collisions.

    scale.py DIR N [CHANGED]   writes the repository; with CHANGED, the 1% churn of a pull request instead
                               (a quarter renamed, a quarter retitled, a quarter removed, a quarter new)
"""
import os, sys
target, n = sys.argv[1], int(sys.argv[2])
changed = len(sys.argv) > 3
fam = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
mid = ["Văn", "Thị", "Minh", "Thu", "Ngọc", "Đức", "Thanh", "Hoài", "Quốc", "Xuân", "Hữu", "Kim"]
giv = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Sơn", "Tâm", "Uyên",
       "Thảo", "Trung", "Việt", "Yến", "Khoa", "Linh", "Hải", "Hương", "Quang", "Tuấn", "Nhung", "Đạt", "Hòa",
       "Long", "Ngân", "Phương", "Thắng", "Vy"]
titles = ["Chuyên viên", "Phó Trưởng phòng", "Trưởng phòng", "Cán sự", "Kế toán viên", "Văn thư"]
units = [f"unit-{u:02d}" for u in range(24)]
domain = "province.test"
os.makedirs(target, exist_ok=True)
open(f"{target}/organization.yaml", "w").write(f"""apiVersion: mailops.dev/v1alpha1
kind: Organization
metadata:
  name: province
spec:
  displayName: Tỉnh (benchmark)
  shortName: tinh
  domains:
    - name: {domain}
  units:
""" + "".join(f"    - id: {u}\n      name: Đơn vị {u[-2:]}\n" for u in units) + f"""  naming:
    domain: {domain}
  safety:
    maxDeletions: 100000
    maxDeletionPercent: 100
    graceDays: 30
  defaults:
    quota: 2GiB
""")
q = n // 100 // 4
for i in range(1, n + 1):
    unit = units[i % 24]
    f, m, g = fam[i % 16], mid[(i // 16) % 12], giv[(i // 192) % 32]
    title = titles[i % 6]
    if changed:
        if i <= q:
            m = "Thị " + m  # a name correction
        elif i <= 2 * q:
            title = "Phó Giám đốc"
        elif i <= 3 * q:
            continue  # removed
    os.makedirs(f"{target}/{unit}", exist_ok=True)
    open(f"{target}/{unit}/u{i:06d}.yaml", "w").write(f"""apiVersion: mailops.dev/v1alpha1
kind: Mailbox
metadata:
  name: u{i:06d}
spec:
  fullName: {f} {m} {g}
  unit: {unit}
  title: {title}
  order: {i}
  address: u{i:06d}@{domain}
  reason: benchmark accounts are numbered
""")
if changed:
    for i in range(n + 1, n + 1 + q):
        unit = units[i % 24]
        open(f"{target}/{unit}/u{i:06d}.yaml", "w").write(f"""apiVersion: mailops.dev/v1alpha1
kind: Mailbox
metadata:
  name: u{i:06d}
spec:
  fullName: Trịnh Văn Mới
  unit: {unit}
  address: u{i:06d}@{domain}
  reason: benchmark accounts are numbered
""")
