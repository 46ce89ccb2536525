"""The cloud-wide change log: every region's own writes (portal.ObjectChange), read here and
from every peer (a signed peer endpoint), merged newest first."""
