// Stylesheets imported by the dashboard's modules, as Jest sees them: nothing.
module.exports = {};
