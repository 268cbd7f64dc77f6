"""One test file per finding of the hotspot attack (issue "Trust"), each written the way the
attacker did it; every test here failed on the code the attack was run against."""
