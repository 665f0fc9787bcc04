"""Odoo's server as Odoo's own script (odoo-bin) runs it, for OdooServer (bin/_odoo.py).

A server with workers starts its longpolling process by running ``sys.argv[0] gevent ...``, this
script. There, gevent loads its plugins through pkg_resources, which checks gevent's requirements
and, on a machine where it does not find the installed zope.interface under that name
(``zope_interface-*.dist-info``), raises DistributionNotFound: the longpolling process dies at once
and the server respawns it about every second, which takes a CPU core. The plugins are loaded
with importlib.metadata instead, which loads the same entry points without that check.
"""
import os
import sys

os.environ["TZ"] = "UTC"  # as odoo-bin: the server's time zone, before the time module is used

if sys.argv[1:2] == ["gevent"]:
    from importlib.metadata import entry_points

    import gevent.events

    gevent.events.iter_entry_points = lambda group: entry_points(group=group)

import odoo

if __name__ == "__main__":
    odoo.cli.main()
