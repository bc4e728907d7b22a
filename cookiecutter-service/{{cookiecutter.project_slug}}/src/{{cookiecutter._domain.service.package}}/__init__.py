{% set service = cookiecutter._domain.service %}
"""The {{ service.name }} service: `python -m {{ service.package }} serve`."""

__version__ = "{{ service.version }}"
