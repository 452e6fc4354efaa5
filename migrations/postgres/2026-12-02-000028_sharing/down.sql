DROP TABLE portal_not_by_default;
DROP TABLE portal_item_concerns;
DROP TABLE portal_item_rules;
