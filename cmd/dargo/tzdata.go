package main

// The time zone database is built in (about 450 KB), so DARGO_TIME_ZONE
// and the zones staff pick on /account load on images without
// /usr/share/zoneinfo; a system copy, when there is one, is still read
// first.
import _ "time/tzdata"
