# Appended last: files (and systemd, sss...) keep precedence; cvmkey only
# adds accounts that were provisioned by binding a key (DESIGN §4).
passwd	last	cvm
group	last	cvm
